build-tsan/obj/scanner/finding.o: scanner/finding.c \
 scanner/../common/error.h scanner/finding.h scanner/../common/vec.h
scanner/../common/error.h:
scanner/finding.h:
scanner/../common/vec.h:
