build-tsan/obj/formats/tiff.o: formats/tiff.c \
 formats/../scanner/classify.h formats/../scanner/finding.h \
 formats/../scanner/../common/vec.h formats/format.h \
 formats/../common/bytes.h formats/../common/error.h \
 formats/../common/error.h formats/../scanner/finding.h formats/images.h
formats/../scanner/classify.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/images.h:
