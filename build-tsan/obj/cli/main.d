build-tsan/obj/cli/main.o: cli/main.c cli/../common/error.h \
 cli/../formats/format.h cli/../formats/../common/bytes.h \
 cli/../formats/../common/error.h cli/../formats/../common/error.h \
 cli/../formats/../scanner/finding.h \
 cli/../formats/../scanner/../common/vec.h cli/../scanner/merge.h \
 cli/../scanner/report.h cli/../scanner/finding.h cli/../scanner/run.h \
 cli/../scanner/scan.h cli/../scanner/walk.h cli/../scanner/version.h \
 cli/../scrubber/drive_clean.h cli/../scrubber/../scanner/finding.h \
 cli/../scrubber/drive_job.h cli/../scrubber/../scanner/drive.h \
 cli/../scrubber/../scanner/finding.h cli/../scrubber/../scanner/walk.h \
 cli/../scrubber/volume_write.h cli/../scrubber/../scanner/volume.h \
 cli/../scrubber/scrub.h cli/../scrubber/../scanner/scan.h \
 cli/../scrubber/plan.h cli/../scrubber/verify.h
cli/../common/error.h:
cli/../formats/format.h:
cli/../formats/../common/bytes.h:
cli/../formats/../common/error.h:
cli/../formats/../common/error.h:
cli/../formats/../scanner/finding.h:
cli/../formats/../scanner/../common/vec.h:
cli/../scanner/merge.h:
cli/../scanner/report.h:
cli/../scanner/finding.h:
cli/../scanner/run.h:
cli/../scanner/scan.h:
cli/../scanner/walk.h:
cli/../scanner/version.h:
cli/../scrubber/drive_clean.h:
cli/../scrubber/../scanner/finding.h:
cli/../scrubber/drive_job.h:
cli/../scrubber/../scanner/drive.h:
cli/../scrubber/../scanner/finding.h:
cli/../scrubber/../scanner/walk.h:
cli/../scrubber/volume_write.h:
cli/../scrubber/../scanner/volume.h:
cli/../scrubber/scrub.h:
cli/../scrubber/../scanner/scan.h:
cli/../scrubber/plan.h:
cli/../scrubber/verify.h:
