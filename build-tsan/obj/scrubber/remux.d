build-tsan/obj/scrubber/remux.o: scrubber/remux.c \
 scrubber/../common/avmem.h scrubber/../common/avlib.h \
 scrubber/../common/error.h scrubber/remux.h scrubber/plan.h \
 scrubber/../scanner/finding.h scrubber/../scanner/../common/vec.h
scrubber/../common/avmem.h:
scrubber/../common/avlib.h:
scrubber/../common/error.h:
scrubber/remux.h:
scrubber/plan.h:
scrubber/../scanner/finding.h:
scrubber/../scanner/../common/vec.h:
