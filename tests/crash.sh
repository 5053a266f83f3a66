#!/usr/bin/env bash
# Crash safety: kills `unmark scrub` with SIGKILL at many points while it cleans a tree
# of larger films (in place, and with --copy), then checks every file:
#   - the original, or the complete cleaned output (what an uninterrupted scrub gives);
#   - or, on the in-place path only, an intermediate state: the in-place order
#     (renames, then zeroing with the tail to be cut, then the cut; synced between) means
#     such a file differs from the original only in bytes that the plan zeroes or
#     renames, still decodes, and the next scrub completes it.
# Then a scrub of the killed tree must give exactly the cleaned tree with no leftovers.
# Prints "N passed, M failed" last.
set -u
UNMARK=${UNMARK:-build/unmark}
ROUNDS=${CRASH_ROUNDS:-12}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/unmark-crash-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
mark() { python3 - "$1" <<'PY'
import struct, subprocess, sys
plain = (b"WM" + sys.argv[1].encode()).ljust(24, b"\0")
m = subprocess.run(["openssl", "enc", "-des-ecb", "-K", "0706050403020100", "-nopad", "-provider",
                    "legacy", "-provider", "default"], input=plain, capture_output=True, check=True).stdout
sys.stdout.buffer.write(m + struct.pack("<I", 24) + b"EOF")
PY
}

mkdir -p "$T/orig/films" "$T/orig/photos"
ff() { ffmpeg -nostdin -v error -y "$@"; }
ff -f lavfi -i "testsrc2=size=1280x720:rate=25" -t 3 -c:v mjpeg -q:v 1 -metadata title=LeakTitle \
   -metadata artist=LeakAuthor "$T/orig/films/a.mp4"
ff -f lavfi -i "testsrc2=size=640x360:rate=25" -t 3 -c:v rawvideo -pix_fmt yuv420p \
   -metadata title=LeakTitle -metadata ARTIST=LeakAuthor "$T/orig/films/b.mkv"
ff -f lavfi -i "testsrc2=size=640x360:rate=25" -t 3 -c:v rawvideo -pix_fmt yuv420p \
   -metadata title=LeakTitle -metadata artist=LeakAuthor "$T/orig/films/c.avi"
ff -f lavfi -i "testsrc2=size=320x240" -frames:v 1 "$T/orig/photos/d.jpg"
for f in "$T"/orig/films/* "$T"/orig/photos/*; do mark 5E1AB2C3D4F9Z >> "$f"; done
python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256))*20)" >> "$T/orig/photos/d.jpg"  # more appended data after the trailer
du -sh "$T/orig" | sed 's/^/tree: /'

# The reference: an uninterrupted scrub.
cp -a "$T/orig" "$T/clean"
"$UNMARK" scrub -q "$T/clean" 2>/dev/null
"$UNMARK" scan -q "$T/clean" 2>/dev/null && ok "reference: an uninterrupted scrub leaves nothing" || bad "reference scrub is not clean"
start=$(date +%s%N); cp -a "$T/orig" "$T/timing"; "$UNMARK" scrub -q --copy "$T/timing" 2>/dev/null
dur_ms=$(( ($(date +%s%N) - start) / 1000000 )); rm -rf "$T/timing"
echo "an uninterrupted --copy scrub of the tree takes about $dur_ms ms"

decodes() { ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -frames:v 1 -f null - 2>/dev/null; }

for mode in in_place copy; do
  extra=""; [ $mode = copy ] && extra="--copy"
  states_orig=0 states_clean=0 states_mid=0 broken=0
  for r in $(seq "$ROUNDS"); do
    rm -rf "$T/work"; cp -a "$T/orig" "$T/work"
    delay=$(python3 -c "import random; print(random.uniform(0, $dur_ms / 1000.0 * 1.2))")
    "$UNMARK" scrub -q -j 2 $extra "$T/work" 2>/dev/null & pid=$!
    sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    for f in films/a.mp4 films/b.mkv films/c.avi photos/d.jpg; do
      w="$T/work/$f"
      if cmp -s "$w" "$T/orig/$f"; then states_orig=$((states_orig + 1))
      elif cmp -s "$w" "$T/clean/$f"; then states_clean=$((states_clean + 1))
      elif [ $mode = in_place ] && decodes "$w"; then states_mid=$((states_mid + 1))
      else broken=$((broken + 1)); echo "  round $r: $f is neither original nor cleaned (delay $delay s)"
      fi
      decodes "$w" || { broken=$((broken + 1)); echo "  round $r: $f does not decode"; }
    done
    # Finishing the job: the tree becomes exactly the cleaned tree, no leftovers.
    "$UNMARK" scrub -q "$T/work" 2>/dev/null
    if ! diff -r -q "$T/work" "$T/clean" >/dev/null; then
      broken=$((broken + 1)); echo "  round $r: a second scrub did not give the cleaned tree"; diff -r -q "$T/work" "$T/clean" | head -3
    fi
  done
  echo "$mode: $ROUNDS kills; file states: $states_orig original, $states_clean cleaned, $states_mid intermediate (in place), $broken broken"
  if [ $broken = 0 ]; then ok "$mode: every killed file is intact and a second scrub completes the tree"; else bad "$mode: $broken broken states"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
