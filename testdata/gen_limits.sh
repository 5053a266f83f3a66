#!/bin/sh
# Regenerates testdata/limits/ (ffmpeg, exiftool): nested.jpg is a JPEG whose EXIF
# thumbnail is a JPEG whose EXIF thumbnail is a JPEG with EXIF of its own (Make
# "DeepMake"): the innermost EXIF block sits at embedding depth 5 (found by default;
# --max-embed 4 stops one short of it).
set -eu
cd "$(dirname "$0")/limits"
rm -f nested.jpg
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
img() { ffmpeg -loglevel error -y -f lavfi -i "testsrc=size=$1:rate=1" -frames:v 1 -pix_fmt yuvj420p \
  -fflags +bitexact -flags +bitexact "$2"; }
img 8x8 "$T/t2.jpg"
exiftool -q -overwrite_original -IFD0:Make=DeepMake "$T/t2.jpg"
img 16x12 "$T/t1.jpg"
exiftool -q -overwrite_original -IFD0:Make=MidMake "-ThumbnailImage<=$T/t2.jpg" "$T/t1.jpg"
img 32x24 nested.jpg
exiftool -q -overwrite_original -IFD0:Make=OuterMake "-ThumbnailImage<=$T/t1.jpg" nested.jpg
