build-tsan/obj/formats/vcomment.o: formats/vcomment.c formats/vcomment.h \
 formats/format.h formats/../common/bytes.h formats/../common/error.h \
 formats/../common/error.h formats/../scanner/finding.h \
 formats/../scanner/../common/vec.h
formats/vcomment.h:
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
