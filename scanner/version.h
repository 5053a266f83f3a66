#ifndef UM_VERSION_H
#define UM_VERSION_H
#define UM_VERSION "0.1.0"
#endif
