build-tsan/obj/scanner/run.o: scanner/run.c scanner/../common/error.h \
 scanner/drive.h scanner/finding.h scanner/../common/vec.h scanner/hash.h \
 scanner/run.h scanner/scan.h scanner/walk.h
scanner/../common/error.h:
scanner/drive.h:
scanner/finding.h:
scanner/../common/vec.h:
scanner/hash.h:
scanner/run.h:
scanner/scan.h:
scanner/walk.h:
