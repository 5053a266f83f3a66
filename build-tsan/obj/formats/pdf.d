build-tsan/obj/formats/pdf.o: formats/pdf.c formats/format.h \
 formats/../common/bytes.h formats/../common/error.h \
 formats/../common/error.h formats/../scanner/finding.h \
 formats/../scanner/../common/vec.h formats/images.h
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
formats/images.h:
