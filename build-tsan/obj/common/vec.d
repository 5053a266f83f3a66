build-tsan/obj/common/vec.o: common/vec.c common/error.h common/vec.h
common/error.h:
common/vec.h:
