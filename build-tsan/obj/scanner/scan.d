build-tsan/obj/scanner/scan.o: scanner/scan.c scanner/../formats/format.h \
 scanner/../formats/../common/bytes.h \
 scanner/../formats/../common/error.h \
 scanner/../formats/../common/error.h \
 scanner/../formats/../scanner/finding.h \
 scanner/../formats/../scanner/../common/vec.h \
 scanner/../formats/redstar.h scanner/../formats/format.h \
 scanner/classify.h scanner/finding.h scanner/hash.h scanner/scan.h
scanner/../formats/format.h:
scanner/../formats/../common/bytes.h:
scanner/../formats/../common/error.h:
scanner/../formats/../common/error.h:
scanner/../formats/../scanner/finding.h:
scanner/../formats/../scanner/../common/vec.h:
scanner/../formats/redstar.h:
scanner/../formats/format.h:
scanner/classify.h:
scanner/finding.h:
scanner/hash.h:
scanner/scan.h:
