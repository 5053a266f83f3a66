build-tsan/obj/formats/redstar.o: formats/redstar.c formats/redstar.h \
 formats/format.h formats/../common/bytes.h formats/../common/error.h \
 formats/../common/error.h formats/../scanner/finding.h \
 formats/../scanner/../common/vec.h
formats/redstar.h:
formats/format.h:
formats/../common/bytes.h:
formats/../common/error.h:
formats/../common/error.h:
formats/../scanner/finding.h:
formats/../scanner/../common/vec.h:
