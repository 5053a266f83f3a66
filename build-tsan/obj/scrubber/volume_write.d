build-tsan/obj/scrubber/volume_write.o: scrubber/volume_write.c \
 scrubber/../common/bytes.h scrubber/../common/error.h \
 scrubber/../common/error.h scrubber/../scanner/drive.h \
 scrubber/../scanner/finding.h scrubber/../scanner/../common/vec.h \
 scrubber/volume_write.h scrubber/../scanner/volume.h
scrubber/../common/bytes.h:
scrubber/../common/error.h:
scrubber/../common/error.h:
scrubber/../scanner/drive.h:
scrubber/../scanner/finding.h:
scrubber/../scanner/../common/vec.h:
scrubber/volume_write.h:
scrubber/../scanner/volume.h:
