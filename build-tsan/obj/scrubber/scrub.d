build-tsan/obj/scrubber/scrub.o: scrubber/scrub.c scrubber/drive_clean.h \
 scrubber/../scanner/finding.h scrubber/../scanner/../common/vec.h \
 scrubber/../common/error.h scrubber/../scanner/hash.h scrubber/remux.h \
 scrubber/plan.h scrubber/scrub.h scrubber/../scanner/scan.h \
 scrubber/../scanner/finding.h scrubber/verify.h
scrubber/drive_clean.h:
scrubber/../scanner/finding.h:
scrubber/../scanner/../common/vec.h:
scrubber/../common/error.h:
scrubber/../scanner/hash.h:
scrubber/remux.h:
scrubber/plan.h:
scrubber/scrub.h:
scrubber/../scanner/scan.h:
scrubber/../scanner/finding.h:
scrubber/verify.h:
