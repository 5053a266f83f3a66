#!/usr/bin/env bash
# Regenerates the small Matroska and RIFF fixtures of tests/test_matroska.c and
# tests/test_riff.c. Needs ffmpeg (libx264/libvpx/libvorbis/libopus/libwebp) and
# exiftool. The muxers write random UIDs and the run's own version strings, so a
# re-run gives other bytes: the tests check values, not hashes.
#   usage: testdata/gen_mkvriff.sh   (from the repository root)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
M="$HERE/matroska"; R="$HERE/riff"
mkdir -p "$M" "$R"
FF="ffmpeg -nostdin -hide_banner -v error -y"
TMP=$(mktemp -d /tmp/gen_mkvriff.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
V="-f lavfi -i testsrc2=s=64x64:r=25:d=0.2"
A="-f lavfi -i sine=f=440:d=0.2:sample_rate=8000"
MD=(-metadata title=LeakTitle -metadata artist=LeakAuthor -metadata creation_time=2013-05-17T08:09:10Z)

# Matroska: Info Title/DateUTC/WritingApp, Tags, a track name, chapters, a cover JPEG
# and a text attachment.
cat > "$TMP/chapters.txt" <<'CH'
;FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=100
title=LeakChapter
CH
$FF -f lavfi -i testsrc2=s=16x16 -frames:v 1 "$TMP/cover.jpg"
printf 'owner: LeakAuthor\n' > "$TMP/note.txt"
$FF $V $A -i "$TMP/chapters.txt" -map 0 -map 1 -map_chapters 2 \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a libvorbis "${MD[@]}" \
  -metadata encoding_tool="LeakSoft 3.1" -metadata DATE_RECORDED=2013-05-17 \
  -metadata make=LeakMake -metadata model="LeakModel X1" -metadata serial=SN4242LEAK \
  -metadata location=+48.8584+002.2945/ -metadata:s:v:0 title=LeakTrack \
  -attach "$TMP/cover.jpg" -metadata:s:t:0 mimetype=image/jpeg -metadata:s:t:0 filename=cover.jpg \
  -attach "$TMP/note.txt" -metadata:s:t:1 mimetype=text/plain -metadata:s:t:1 filename=LeakNote.txt \
  "$M/clip.mkv"
# WebM (VP8 + Opus), same Info and Tags.
$FF $V $A -c:v libvpx -b:v 50k -c:a libopus "${MD[@]}" -metadata serial=SN4242LEAK "$M/clip.webm"
# A live-style file: written to a pipe, so the Segment has an unknown size.
$FF $V -c:v libx264 -preset ultrafast -pix_fmt yuv420p "${MD[@]}" -f matroska - > "$M/live.mkv"

# RIFF: AVI (MJPEG + PCM) with LIST INFO and a stream name.
$FF $V $A -c:v mjpeg -q:v 8 -pix_fmt yuvj420p -c:a pcm_s16le "${MD[@]}" \
  -metadata date=2013-05-17 -metadata comment="serial SN4242LEAK" -metadata:s:v:0 title=LeakStream \
  "$R/clip.avi"
# WAVE with bext and LIST INFO.
$FF $A -c:a pcm_s16le -write_bext 1 "${MD[@]}" -metadata date=2013-05-17 \
  -metadata originator="LeakMake LeakModel X1" -metadata originator_reference=SN4242LEAK \
  -metadata origination_date=2013-05-17 -metadata origination_time=08:09:10 \
  -metadata time_reference=12345 -metadata coding_history="A=PCM,F=8000,W=16,M=mono,T=LeakSoft" \
  "$R/sound.wav"
# RF64 WAVE.
$FF $A -c:a pcm_s16le -rf64 always -metadata artist=LeakAuthor "$R/sound_rf64.wav"
# Extended WebP with EXIF and XMP written by exiftool.
$FF -f lavfi -i testsrc2=s=64x64 -frames:v 1 -c:v libwebp "$R/image.webp"
exiftool -q -overwrite_original -EXIF:Orientation=6 -n -EXIF:Make=LeakMake -EXIF:Model="LeakModel X1" \
  -EXIF:SerialNumber=SN4242LEAK -XMP-dc:Creator=LeakAuthor "$R/image.webp"
ls -l "$M" "$R"
