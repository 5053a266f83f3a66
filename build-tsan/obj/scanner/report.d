build-tsan/obj/scanner/report.o: scanner/report.c \
 scanner/../common/error.h scanner/report.h scanner/finding.h \
 scanner/../common/vec.h scanner/version.h
scanner/../common/error.h:
scanner/report.h:
scanner/finding.h:
scanner/../common/vec.h:
scanner/version.h:
