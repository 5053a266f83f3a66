#!/usr/bin/env bash
# Regenerates the RealMedia fixtures in testdata/realmedia/ (a few KB each). Needs
# ffmpeg and python3. Marker values as in the other fixtures (LeakTitle, LeakAuthor,
# SN4242LEAK, LeakSoft 3.1, 2013).
#   clip.rm      ffmpeg's RealMedia (RealVideo 1, AC-3) with a CONT chunk
#   fileinfo.rm  clip.rm with what RealProducer adds: a logical-fileinfo stream with
#                string properties, an INDX chunk, and a RealJukebox RMMD section
#                after the index (appended data)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/realmedia"
mkdir -p "$OUT"
ffmpeg -nostdin -hide_banner -v error -y -fflags +bitexact \
  -f lavfi -i testsrc2=s=64x64:r=10:d=1 -f lavfi -i sine=f=440:d=1:sample_rate=8000 \
  -c:v rv10 -c:a ac3 -b:a 64k -flags +bitexact \
  -metadata title=LeakTitle -metadata author=LeakAuthor -metadata copyright="LeakAuthor 2013" \
  -metadata comment="serial SN4242LEAK" "$OUT/clip.rm"
python3 "$HERE/gen_realmedia.py" "$OUT/clip.rm" "$OUT/fileinfo.rm"
ls -l "$OUT"
