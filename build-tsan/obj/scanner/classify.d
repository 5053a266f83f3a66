build-tsan/obj/scanner/classify.o: scanner/classify.c scanner/classify.h \
 scanner/finding.h scanner/../common/vec.h
scanner/classify.h:
scanner/finding.h:
scanner/../common/vec.h:
