build-tsan/obj/scanner/walk.o: scanner/walk.c scanner/drive.h \
 scanner/finding.h scanner/../common/vec.h scanner/walk.h
scanner/drive.h:
scanner/finding.h:
scanner/../common/vec.h:
scanner/walk.h:
