build-tsan/obj/scrubber/drive_clean.o: scrubber/drive_clean.c \
 scrubber/../common/error.h scrubber/drive_clean.h \
 scrubber/../scanner/finding.h scrubber/../scanner/../common/vec.h
scrubber/../common/error.h:
scrubber/drive_clean.h:
scrubber/../scanner/finding.h:
scrubber/../scanner/../common/vec.h:
