build-tsan/obj/common/avlib.o: common/avlib.c common/avlib.h \
 common/error.h
common/avlib.h:
common/error.h:
