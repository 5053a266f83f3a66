#!/bin/bash
# Regenerates the fixtures of the generic (libavformat) handler in testdata/av/:
# 0.2 s clips in containers that no native handler claims, carrying identifying
# metadata (title, artist, location, make, serial, creation time), chapters, a
# language, and a cover picture with EXIF. Needs ffmpeg (5.1) and exiftool.
# Every file is written bit-exact, so a rerun gives the same bytes.
set -euo pipefail
cd "$(dirname "$0")/av"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ff() { ffmpeg -nostdin -v error -y "$@"; }
V=(-f lavfi -i testsrc=s=32x24:r=10:d=0.2)
A=(-f lavfi -i sine=d=0.2:r=8000)
TAGS=(-metadata title=LeakTitle -metadata artist=LeakAuthor
      -metadata location=+48.8584+002.2945/ -metadata creation_time=2013-05-17T08:09:10Z
      -metadata make=LeakMake -metadata serial_number=SN4242LEAK)
BX=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# MPEG-TS: the service descriptor carries provider and name.
ff "${V[@]}" "${A[@]}" -c:v mpeg2video -c:a mp2 -b:a 32k -metadata service_provider=LeakMake \
   -metadata service_name=LeakTitle -metadata:s:a:0 language=kor "${BX[@]}" -t 0.2 tagged.ts
# FLV: onMetaData.
ff "${V[@]}" "${A[@]}" -c:v flv -c:a pcm_s16le "${TAGS[@]}" "${BX[@]}" -t 0.2 tagged.flv
# NUT: info packets for the file, streams and chapters.
printf ';FFMETADATA1\ntitle=LeakTitle\nartist=LeakAuthor\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=100\ntitle=LeakChapter\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=100\nEND=200\ntitle=Second\n' >"$tmp/meta.txt"
ff "${V[@]}" "${A[@]}" -i "$tmp/meta.txt" -map 0 -map 1 -map_metadata 2 -map_chapters 2 \
   -c:v mpeg4 -c:a pcm_s16le -metadata location=+48.8584+002.2945/ \
   -metadata:s:a:0 language=kor -metadata:s:v:0 handler_name=LeakCam "${BX[@]}" -t 0.2 tagged.nut
# AIFF: ID3v2 chunk with tags and a cover picture that has EXIF of its own.
ff -f lavfi -i color=c=red:s=16x16:d=0.04 -frames:v 1 "${BX[@]}" "$tmp/cover.jpg"
exiftool -q -overwrite_original -Make=LeakMake -SerialNumber=SN4242LEAK "$tmp/cover.jpg"
ff "${A[@]}" -i "$tmp/cover.jpg" -map 0 -map 1 -c:a pcm_s16be -c:v copy -disposition:v attached_pic \
   "${TAGS[@]}" -write_id3v2 1 "${BX[@]}" tagged.aiff
# CAF: info chunk.
ff "${A[@]}" -c:a pcm_s16le "${TAGS[@]}" "${BX[@]}" tagged.caf
# WTV.
ff "${V[@]}" "${A[@]}" -c:v mpeg2video -c:a mp2 -b:a 32k "${TAGS[@]}" "${BX[@]}" -t 0.2 tagged.wtv
# MPEG-PS has no tags: must scan clean.
ff "${V[@]}" "${A[@]}" -c:v mpeg2video -c:a mp2 -b:a 32k "${BX[@]}" -t 0.2 plain.mpg
# MXF as libavformat writes it bit-exact: only its own fixed identifiers, which
# identify no one and must not be reported.
ff -f lavfi -i testsrc=s=32x24:r=25:d=0.2 -f lavfi -i sine=d=0.2:r=48000 -c:v mpeg2video \
   -c:a pcm_s16le "${BX[@]}" -t 0.2 plain.mxf
ls -l
# For the verifier's tests: FLAC (a trailer glued to its last packet) and H.264
# video whose parameter sets live only in the global header (extradata).
ff "${A[@]}" -c:a flac "${BX[@]}" tone.flac
ff "${V[@]}" -c:v libx264 -threads 1 -preset ultrafast -flags:v +global_header+bitexact \
   -fflags +bitexact -t 0.2 global.nut
ls -l tone.flac global.nut
# MP4 for the verifier's proof by packet ranges (the index comes from sample tables).
ff "${V[@]}" "${A[@]}" -c:v mpeg4 -c:a pcm_s16be -f mov "${TAGS[@]}" "${BX[@]}" -t 0.2 clip.mov
ls -l clip.mov
# MPEG-TS with a private data stream after picture and sound (as drones and
# dashcams carry KLV/GPS): the payload is a KLV-like packet with a position.
printf '\x06\x0e\x2b\x34\x02\x0b\x01\x01\x0e\x01\x03\x01\x01\x00\x00\x00\x10\x0d\x08+48.8584+002.2945' >"$tmp/klv.bin"
ff -i tagged.ts -f data -i "$tmp/klv.bin" -map 0 -map 1 -c copy -fflags +bitexact -f mpegts telemetry.ts
ls -l telemetry.ts
# Matroska with what a remux must keep: languages, default/forced flags, a subtitle
# track, an attached font (name and type), chapter times. (Matroska has a native
# handler; this fixture tests the remux itself, which is format-independent.)
printf '1\n00:00:00,000 --> 00:00:00,150\nHello\n' >"$tmp/s.srt"
head -c 600 /dev/zero | tr '\0' 'F' >"$tmp/font.ttf"
ff "${V[@]}" "${A[@]}" -i "$tmp/s.srt" -i "$tmp/meta.txt" -map 0 -map 1 -map 2 -map_chapters 3 \
   -c:v mpeg4 -c:a pcm_s16le -c:s srt "${TAGS[@]}" -metadata:s:a:0 language=kor \
   -metadata:s:s:0 language=eng -disposition:s:0 forced -disposition:a:0 default \
   -attach "$tmp/font.ttf" -metadata:s:3 mimetype=application/x-truetype-font "${BX[@]}" -t 0.2 rich.mkv
ls -l rich.mkv
