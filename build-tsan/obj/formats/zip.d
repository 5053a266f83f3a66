build-tsan/obj/formats/zip.o: formats/zip.c formats/format.h \
 formats/../common/bytes.h formats/../common/error.h \
 formats/../common/error.h formats/../scanner/finding.h \
 formats/../scanner/../common/vec.h formats/ooxml.h formats/redstar.h
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
formats/ooxml.h:
formats/redstar.h:
