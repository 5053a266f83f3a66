build-tsan/obj/scanner/drive.o: scanner/drive.c scanner/../common/bytes.h \
 scanner/../common/error.h scanner/../common/error.h scanner/drive.h \
 scanner/finding.h scanner/../common/vec.h
scanner/../common/bytes.h:
scanner/../common/error.h:
scanner/../common/error.h:
scanner/drive.h:
scanner/finding.h:
scanner/../common/vec.h:
