build-tsan/obj/formats/av.o: formats/av.c formats/../common/avmem.h \
 formats/../common/avlib.h formats/format.h formats/../common/bytes.h \
 formats/../common/error.h formats/../common/error.h \
 formats/../scanner/finding.h formats/../scanner/../common/vec.h
formats/../common/avmem.h:
formats/../common/avlib.h:
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
