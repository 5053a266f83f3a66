#!/usr/bin/env bash
# Regenerates the ISO BMFF / QuickTime fixtures in testdata/isobmff/ (each a few KB).
# Needs ffmpeg, exiftool and python3. Marker values are distinctive so that tests can
# assert that a scrub leaves none of them behind:
#   make LeakMake, model "LeakModel X1", serial SN4242LEAK, software "LeakSoft 3.1",
#   title LeakTitle, author LeakAuthor, date 2013-05-17T08:09:10Z, GPS +48.8584+002.2945/
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/isobmff"
mkdir -p "$OUT"
cd "$OUT"
FF="ffmpeg -nostdin -hide_banner -v error -y -fflags +bitexact"
V="-f lavfi -i testsrc2=s=64x64:r=10:d=0.2"
A="-f lavfi -i sine=f=440:d=0.2:sample_rate=8000"
VENC="-c:v libx264 -preset ultrafast -pix_fmt yuv420p -x264-params no-info=1 -flags +bitexact"
MAKE=LeakMake; MODEL="LeakModel X1"; SERIAL=SN4242LEAK; SOFT="LeakSoft 3.1"
TITLE=LeakTitle; AUTHOR=LeakAuthor; ISODATE=2013-05-17T08:09:10Z; ISO6709=+48.8584+002.2945/

# Apple-style mdta keys in moov/meta, plus mvhd/tkhd/mdhd dates.
$FF $V $A $VENC -c:a aac -b:a 16k \
  -metadata title="$TITLE" -metadata artist="$AUTHOR" -metadata creation_time="$ISODATE" \
  -metadata com.apple.quicktime.make="$MAKE" -metadata com.apple.quicktime.model="$MODEL" \
  -metadata com.apple.quicktime.location.ISO6709="$ISO6709" \
  -metadata com.apple.quicktime.software="$SOFT" \
  -metadata com.apple.quicktime.creationdate=2013-05-17T08:09:10+0200 \
  -metadata com.leak.serialnumber="$SERIAL" \
  -movflags use_metadata_tags clip_mdta.mp4

# iTunes-style moov/udta/meta/ilst, plus udta ©mak ©mod ©xyz written by exiftool, and
# an XMP uuid box.
$FF $V $A $VENC -c:a aac -b:a 16k \
  -metadata title="$TITLE" -metadata artist="$AUTHOR" -metadata creation_time="$ISODATE" \
  -metadata date=2013-05-17 -metadata comment="serial $SERIAL" -metadata encoder="$SOFT" \
  clip_ilst.mp4
exiftool -q -overwrite_original -UserData:Make="$MAKE" -UserData:Model="$MODEL" \
  -UserData:GPSCoordinates="48.8583701, 2.2944813, 35" -XMP-dc:Creator="$AUTHOR" \
  -XMP-xmpMM:DocumentID=xmp.did:LEAKDOC clip_ilst.mp4

# QuickTime movie: udta ©nam ©ART ©mak ©mod ©xyz ©day ©cmt ©swr, compressor name in stsd.
$FF $V $A $VENC -c:a pcm_s16le -f mov \
  -metadata title="$TITLE" -metadata artist="$AUTHOR" -metadata creation_time="$ISODATE" \
  -metadata date=2013-05-17 -metadata make="$MAKE" -metadata model="$MODEL" \
  -metadata location="$ISO6709" -metadata comment="serial $SERIAL" -timecode 01:02:03:04 clip.mov

# Audio-only M4A with ilst (©ART ©too ©day).
$FF $A -c:a aac -b:a 16k -metadata artist="$AUTHOR" -metadata date=2013-05-17 \
  -metadata encoder="$SOFT" clip.m4a

# Clean file: no metadata, dates zero (the scanner must find nothing but what ffmpeg
# always writes).
$FF $V $VENC -map_metadata -1 -movflags +faststart clean.mp4

# A dashcam's GPS log as a subtitle track (NMEA sentences as cues), and an ordinary
# subtitle track beside it for contrast.
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf '1\n00:00:00,000 --> 00:00:00,100\n$GPRMC,080910.00,A,3901.1667,N,12544.2831,E,0.0,0.0,170513,,,A*6C\n\n2\n00:00:00,100 --> 00:00:00,200\n$GPGGA,080910.10,3901.1667,N,12544.2831,E,1,08,1.0,32.5,M,0.0,M,,*5B\n' > "$T/nmea.srt"
printf '1\n00:00:00,000 --> 00:00:00,100\nHello\n' > "$T/hello.srt"
$FF $V -i "$T/nmea.srt" $VENC -c:s mov_text -map_metadata -1 dashcam_nmea.mp4
$FF $V -i "$T/hello.srt" $VENC -c:s mov_text -map_metadata -1 subtitled.mp4

# Base for camm.mp4 (moov last, so that a track can be appended without moving data).
$FF $V $VENC -map_metadata -1 clean_moov_last.mp4

python3 "$HERE/gen_isobmff.py" "$OUT"
exiftool -q -overwrite_original -Make="$MAKE" -Model="$MODEL" -SerialNumber=$SERIAL \
  -GPSLatitude=48.8584 -GPSLatitudeRef=N -XMP-dc:Creator="$AUTHOR" image_exiftool.heic
ls -l "$OUT"
