build-tsan/obj/scrubber/verify.o: scrubber/verify.c \
 scrubber/../common/avmem.h scrubber/../common/avlib.h \
 scrubber/../common/bytes.h scrubber/../common/error.h \
 scrubber/../common/error.h scrubber/../formats/format.h \
 scrubber/../formats/../common/bytes.h \
 scrubber/../formats/../common/error.h \
 scrubber/../formats/../scanner/finding.h \
 scrubber/../formats/../scanner/../common/vec.h scrubber/verify.h \
 scrubber/../scanner/scan.h scrubber/../scanner/finding.h scrubber/plan.h \
 scrubber/../scanner/finding.h
scrubber/../common/avmem.h:
scrubber/../common/avlib.h:
scrubber/../common/bytes.h:
scrubber/../common/error.h:
scrubber/../common/error.h:
scrubber/../formats/format.h:
scrubber/../formats/../common/bytes.h:
scrubber/../formats/../common/error.h:
scrubber/../formats/../scanner/finding.h:
scrubber/../formats/../scanner/../common/vec.h:
scrubber/verify.h:
scrubber/../scanner/scan.h:
scrubber/../scanner/finding.h:
scrubber/plan.h:
scrubber/../scanner/finding.h:
