#include "format.h"
const struct um_format um_format_riff = { .name = "riff", .long_name = "RIFF", .extensions = "" };
