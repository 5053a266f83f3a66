#!/bin/sh
# Regenerates the small image fixtures in testdata/images/ (ffmpeg, exiftool, python3).
# Each carries known identifying metadata; the tests check exactly what is found.
set -eu
cd "$(dirname "$0")/images"
# xmp_no_trailer.gif is a fuzzing find, not generated: it is kept.
rm -f camera.jpg thumbed.jpg camera.tif plain.tif text.png comment.gif packet.xmp ./*_original
ff() { ffmpeg -loglevel error -y -f lavfi -i "testsrc=size=32x24:rate=1" -frames:v 1 -fflags +bitexact -flags +bitexact "$@"; }

# JPEG with EXIF (IFD0, Exif, GPS), XMP, IPTC, a comment and an ICC profile kept.
ff -pix_fmt yuvj420p base.jpg
cp base.jpg camera.jpg
exiftool -q -overwrite_original \
  -IFD0:Make=TestMake -IFD0:Model='Model X100' -IFD0:Software='FW 1.02' -IFD0:Artist='Kim Chol' \
  -IFD0:Orientation#=6 -ExifIFD:SerialNumber=SN123456789 -ExifIFD:DateTimeOriginal='2020:01:02 03:04:05' \
  -ExifIFD:LensSerialNumber=LS42 -ExifIFD:ImageUniqueID=0123456789abcdef0123456789abcdef \
  -GPSLatitude=39.0392 -GPSLatitudeRef=N -GPSLongitude=125.7625 -GPSLongitudeRef=E \
  -XMP-tiff:Make=XmpMake -XMP-xmpMM:DocumentID=xmp.did:1234 -XMP-dc:Creator='Pak Yong' \
  -IPTC:By-line='Ri Su' -IPTC:City=Pyongyang -Comment='CREATOR: gd-jpeg v1.0' camera.jpg
# EXIF thumbnail that itself carries a comment.
ffmpeg -loglevel error -y -f lavfi -i "testsrc=size=16x12:rate=1" -frames:v 1 -pix_fmt yuvj420p \
  -fflags +bitexact -flags +bitexact thumb.jpg
exiftool -q -overwrite_original -Comment='thumb secret' thumb.jpg
cp base.jpg thumbed.jpg
exiftool -q -overwrite_original -IFD0:Make=ThumbMake '-ThumbnailImage<=thumb.jpg' thumbed.jpg

# TIFF with identifying tags.
ff -pix_fmt rgb24 -compression_algo raw plain.tif
cp plain.tif camera.tif
exiftool -q -overwrite_original -IFD0:Make=TiffMake -IFD0:Model=TiffModel -IFD0:HostComputer=host-7 \
  -ExifIFD:SerialNumber=BODY99 -GPSLatitude=1.5 -GPSLatitudeRef=S camera.tif

# PNG with text chunks, tIME, eXIf and XMP.
ff -pix_fmt rgb24 base.png
cp base.png text.png
exiftool -q -overwrite_original -PNG:Author='Choe Hyon' -PNG:Comment='hello there' \
  -PNG:Software='Painter 3' -XMP-tiff:Model=XmpModel -EXIF:Make=PngExifMake \
  -PNG:ModifyDate='2019:05:06 07:08:09' text.png

# GIF with a comment and an XMP application extension.
ff base.gif
cp base.gif comment.gif
exiftool -q -overwrite_original -Comment='secret comment' -XMP-dc:Creator='Gif Author' comment.gif

# A standalone XMP packet.
exiftool -q -o packet.xmp -XMP-tiff:Make=PacketMake -XMP-exif:GPSLatitude='39,2.1N' \
  -XMP-xmpMM:InstanceID=xmp.iid:abcd -XMP-dc:Creator='Packet Person' base.jpg
rm -f base.jpg thumb.jpg base.png base.gif
