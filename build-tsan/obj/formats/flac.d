build-tsan/obj/formats/flac.o: formats/flac.c formats/format.h \
 formats/../common/bytes.h formats/../common/error.h \
 formats/../common/error.h formats/../scanner/finding.h \
 formats/../scanner/../common/vec.h formats/vcomment.h
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
formats/vcomment.h:
