build-tsan/obj/scrubber/plan.o: scrubber/plan.c \
 scrubber/../common/error.h scrubber/plan.h scrubber/../scanner/finding.h \
 scrubber/../scanner/../common/vec.h
scrubber/../common/error.h:
scrubber/plan.h:
scrubber/../scanner/finding.h:
scrubber/../scanner/../common/vec.h:
