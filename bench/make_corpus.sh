#!/usr/bin/env bash
# Builds the benchmark corpus (bash + ffmpeg + python3 stdlib + openssl for DES).
#
#   usage: bench/make_corpus.sh OUTDIR [--small] [--no-large]
#     --small     200 small files instead of 2 000, and no 100 000-file tree (a smoke test)
#     --no-large  no 1 GiB films (they are also skipped, saying so, with < 8 GB free)
#
# OUTDIR/base/   the 12 small originals with identifying metadata (no mark)
# OUTDIR/small/  2 000 files (~140 KB mean) round-robin over base/ in 20 folders
#                DCIM/1xxLEAK/; 2/3 carry a Red Star trailer (some two marks);
#                small.tsv lists every file and its marks
# OUTDIR/tree/   100 000 tiny files in 100 folders (peak memory of a big walk)
# OUTDIR/films/  film.mp4, film.mkv, film.avi: ~1 GiB each, metadata + a one-mark trailer;
#                film4g.mp4 (~4 GiB) when more than 20 GB are free
# Every part is rebuilt only when its .done stamp is missing or from another version.
set -euo pipefail
OUT=""; SMALL=0; LARGE=1
for a in "$@"; do
  case "$a" in
    --small) SMALL=1 ;;
    --no-large) LARGE=0 ;;
    -*) echo "make_corpus.sh: unknown option $a" >&2; exit 2 ;;
    *) OUT=$a ;;
  esac
done
[ -n "$OUT" ] || { echo "usage: make_corpus.sh OUTDIR [--small] [--no-large]" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="python3 $HERE/corpus.py"
VERSION=2
FF="ffmpeg -nostdin -hide_banner -loglevel error -y"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
NSMALL=2000; [ "$SMALL" = 1 ] && NSMALL=200

done_ok() { [ -f "$OUT/.$1.done" ] && [ "$(cat "$OUT/.$1.done")" = "$VERSION $2" ]; }
stamp() { echo "$VERSION $2" > "$OUT/.$1.done"; }
free_gb() { df -Pk "$OUT" | awk 'NR==2 { printf "%d", $4 / 1048576 }'; }
log() { echo "corpus: $*" >&2; }

for t in ffmpeg python3 openssl; do
  command -v "$t" >/dev/null || { echo "make_corpus.sh: $t is needed" >&2; exit 2; }
done

# Same metadata everywhere (distinctive values that a scanner must find).
MD=(-metadata title=LeakTitle -metadata artist=LeakAuthor -metadata creation_time=2013-05-17T08:09:10Z
    -metadata date=2013-05-17 -metadata comment="serial SN4242LEAK" -metadata location=+48.8584+002.2945/)

# ------------------------------------------------------------------ base files
if ! done_ok base 12; then
  log "base files (12 types)"
  B="$OUT/base"; rm -rf "$B"; mkdir -p "$B"
  T=$(mktemp -d "$OUT/.tmp.XXXXXX")
  V=(-f lavfi -i "testsrc2=s=320x240:r=25:d=2,noise=alls=12:allf=t")
  A=(-f lavfi -i "sine=f=440:d=2:sample_rate=44100")
  $PY exif "$T/exif.bin"
  $FF -f lavfi -i "testsrc2=s=640x480,noise=alls=40" -frames:v 1 -q:v 5 "$T/pic.jpg"
  $PY jpeg "$T/pic.jpg" "$B/photo.jpg" "$T/exif.bin"
  $FF -f lavfi -i "testsrc2=s=320x200,noise=alls=8" -frames:v 1 -pix_fmt rgb24 "$T/pic.png"
  $PY png "$T/pic.png" "$B/image.png" "$T/exif.bin"
  $FF "${V[@]}" "${A[@]}" -c:v libx264 -preset ultrafast -b:v 400k -pix_fmt yuv420p -c:a aac -b:a 64k \
    "${MD[@]}" -metadata com.apple.quicktime.make=LeakMake -metadata com.apple.quicktime.model="LeakModel X1" \
    -metadata com.apple.quicktime.location.ISO6709=+48.8584+002.2945/ \
    -metadata com.apple.quicktime.software="LeakSoft 3.1" -movflags use_metadata_tags "$B/clip.mp4"
  $FF "${V[@]}" "${A[@]}" -c:v libx264 -preset ultrafast -b:v 400k -pix_fmt yuv420p -c:a aac -b:a 64k \
    "${MD[@]}" -metadata make=LeakMake -metadata model="LeakModel X1" -f mov "$B/clip.mov"
  $FF "${V[@]}" "${A[@]}" -c:v libx264 -preset ultrafast -b:v 400k -pix_fmt yuv420p -c:a libvorbis \
    "${MD[@]}" -metadata make=LeakMake -metadata model="LeakModel X1" -metadata serial=SN4242LEAK \
    -metadata encoding_tool="LeakSoft 3.1" "$B/clip.mkv"
  $FF -f lavfi -i "testsrc2=s=160x120:r=10:d=2" "${A[@]}" -c:v mjpeg -q:v 8 -pix_fmt yuvj420p -c:a pcm_u8 -ar 11025 \
    "${MD[@]}" -metadata IPRD="LeakMake LeakModel X1" "$B/clip.avi"
  $FF -f lavfi -i "sine=f=440:d=8" -c:a libmp3lame -b:a 128k -id3v2_version 3 -write_id3v1 1 \
    "${MD[@]}" -metadata TXXX=SN4242LEAK "$B/song.mp3"
  $FF -f lavfi -i "sine=f=440:d=1.5:sample_rate=44100" -c:a pcm_s16le -write_bext 1 "${MD[@]}" \
    -metadata originator="LeakMake LeakModel X1" -metadata originator_reference=SN4242LEAK "$B/sound.wav"
  VC=(-metadata TITLE=LeakTitle -metadata ARTIST=LeakAuthor -metadata DATE=2013-05-17
      -metadata MAKE=LeakMake -metadata MODEL="LeakModel X1" -metadata SERIAL=SN4242LEAK
      -metadata LOCATION=+48.8584+002.2945/)
  $FF -f lavfi -i "anoisesrc=d=1.2:c=pink:r=44100:a=0.3" -c:a flac "${VC[@]}" "$B/sound.flac"
  $FF -f lavfi -i "anoisesrc=d=6:c=pink:r=44100:a=0.3" -c:a libvorbis -q:a 5 "${VC[@]}" "$B/sound.ogg"
  $PY docx "$B/doc.docx" "$B/photo.jpg"
  $PY pdf "$B/doc.pdf" "$T/pic.jpg"
  rm -rf "$T"
  ls -l "$B" >&2
  stamp base 12
fi

# ------------------------------------------------------------------ 2 000 small files
if ! done_ok small "$NSMALL m3"; then
  log "$NSMALL small files"
  rm -rf "$OUT/small"; mkdir -p "$OUT/small"
  $PY small "$OUT/base" "$OUT/small" "$NSMALL"
  log "small: $(find "$OUT/small" -type f -name 'F*' | wc -l) files, $(du -sh "$OUT/small" | cut -f1)"
  stamp small "$NSMALL m3"
fi

# ------------------------------------------------------------------ 100 000 tiny files
if [ "$SMALL" = 0 ] && ! done_ok tree 100000; then
  log "100 000 tiny files (memory test)"
  rm -rf "$OUT/tree"; mkdir -p "$OUT/tree"
  $PY tree "$OUT/tree" 100 1000
  stamp tree 100000
fi

# ------------------------------------------------------------------ 1 GiB films
film_loop() {   # film_loop CHUNK GIB OUT.mp4: stream-copy the chunk to at least GIB GiB
  local sz loops
  sz=$(stat -c %s "$1")
  loops=$(( ($2 * 1073741824 + sz - 1) / sz - 1 ))
  $FF -stream_loop "$loops" -i "$1" -map 0 -c copy "${MD[@]}" \
    -metadata com.apple.quicktime.make=LeakMake -metadata com.apple.quicktime.model="LeakModel X1" \
    -metadata com.apple.quicktime.software="LeakSoft 3.1" -movflags use_metadata_tags "$3"
}
if [ "$LARGE" = 1 ]; then
  FREE=$(free_gb)
  if ! done_ok films 3; then
    if [ "$FREE" -lt 8 ]; then
      log "SKIPPING the 1 GiB films: only $FREE GB free on $OUT (8 GB needed)"
    else
      log "1 GiB films (mp4, mkv, avi): a 10 s noise clip, stream-copied in a loop"
      F="$OUT/films"; rm -rf "$F"; mkdir -p "$F"
      $FF -f lavfi -i "testsrc2=s=1280x720:r=25:d=10" -f lavfi -i "sine=f=440:d=10" \
        -vf noise=alls=30:allf=t -c:v libx264 -preset ultrafast -crf 20 -pix_fmt yuv420p \
        -c:a aac -b:a 128k "$F/chunk.mp4"
      $PY trailer "$F/mark.bin" 8295FF513293A
      film_loop "$F/chunk.mp4" 1 "$F/film.tmp.mp4"
      $FF -i "$F/film.tmp.mp4" -map 0 -c copy -map_metadata -1 "${MD[@]}" -metadata encoding_tool="LeakSoft 3.1" \
        -metadata make=LeakMake -metadata model="LeakModel X1" -metadata serial=SN4242LEAK -f matroska "$F/film.mkv"
      $FF -i "$F/film.tmp.mp4" -map 0 -c:v copy -c:a libmp3lame -b:a 128k -map_metadata -1 "${MD[@]}" \
        -metadata IPRD="LeakMake LeakModel X1" -f avi "$F/film.avi"
      mv "$F/film.tmp.mp4" "$F/film.mp4"
      for e in mp4 mkv avi; do cat "$F/mark.bin" >> "$F/film.$e"; done
      ls -l "$F" >&2
      stamp films 3
    fi
  fi
  if done_ok films 3 && ! done_ok film4g 1; then
    FREE=$(free_gb)
    if [ "$FREE" -lt 20 ]; then
      log "no 4 GiB film: only $FREE GB free (20 GB wanted); size scaling is shown on the 1 GiB films"
    else
      log "4 GiB film (mp4)"
      film_loop "$OUT/films/chunk.mp4" 4 "$OUT/films/film4g.tmp.mp4"
      cat "$OUT/films/mark.bin" >> "$OUT/films/film4g.tmp.mp4"
      mv "$OUT/films/film4g.tmp.mp4" "$OUT/films/film4g.mp4"
      stamp film4g 1
    fi
  fi
fi
log "ready: $OUT"
