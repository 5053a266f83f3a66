build-tsan/obj/scanner/volume.o: scanner/volume.c \
 scanner/../common/bytes.h scanner/../common/error.h \
 scanner/../common/error.h scanner/drive.h scanner/finding.h \
 scanner/../common/vec.h scanner/volume.h
scanner/../common/bytes.h:
scanner/../common/error.h:
scanner/../common/error.h:
scanner/drive.h:
scanner/finding.h:
scanner/../common/vec.h:
scanner/volume.h:
