build-tsan/obj/common/avmem.o: common/avmem.c common/avmem.h \
 common/avlib.h common/error.h
common/avmem.h:
common/avlib.h:
common/error.h:
