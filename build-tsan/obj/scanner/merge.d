build-tsan/obj/scanner/merge.o: scanner/merge.c scanner/../common/error.h \
 scanner/merge.h scanner/report.h scanner/finding.h \
 scanner/../common/vec.h
scanner/../common/error.h:
scanner/merge.h:
scanner/report.h:
scanner/finding.h:
scanner/../common/vec.h:
