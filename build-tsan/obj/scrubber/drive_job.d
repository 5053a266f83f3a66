build-tsan/obj/scrubber/drive_job.o: scrubber/drive_job.c \
 scrubber/../common/error.h scrubber/../scanner/volume.h \
 scrubber/../scanner/finding.h scrubber/../scanner/../common/vec.h \
 scrubber/drive_clean.h scrubber/../scanner/finding.h \
 scrubber/drive_job.h scrubber/../scanner/drive.h \
 scrubber/../scanner/walk.h scrubber/volume_write.h
scrubber/../common/error.h:
scrubber/../scanner/volume.h:
scrubber/../scanner/finding.h:
scrubber/../scanner/../common/vec.h:
scrubber/drive_clean.h:
scrubber/../scanner/finding.h:
scrubber/drive_job.h:
scrubber/../scanner/drive.h:
scrubber/../scanner/walk.h:
scrubber/volume_write.h:
