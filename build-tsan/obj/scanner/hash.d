build-tsan/obj/scanner/hash.o: scanner/hash.c scanner/hash.h
scanner/hash.h:
