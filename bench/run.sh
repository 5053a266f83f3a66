#!/usr/bin/env bash
# `make bench`: builds (or reuses) the corpus, then times unmark against its peers.
#
#   UNMARK=build/unmark BENCH_DIR=/tmp/unmark-bench bash bench/run.sh
#
# Environment:
#   UNMARK            the binary to measure (default build/unmark)
#   BENCH_DIR         corpus cache, reused when complete (default /tmp/unmark-bench; ~8 GB)
#   BENCH_QUICK=1     exiftool, mat2 and ffprobe scan a 200-file subset; times scaled x10
#   BENCH_NO_LARGE=1  no 1 GiB films
#   BENCH_SMALL=1     200 small files, no 100 000-file tree (smoke test)
#   BENCH_RUNS, BENCH_SLOW_RUNS, BENCH_FILM_RUNS  timed runs (default 5 / 3 / 3)
#   BENCH_OUT         where results.json / results.md go (default bench/)
# Always exits 0 once measured: a missed target is a measurement, printed as FAIL.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
UNMARK=${UNMARK:-$HERE/../build/unmark}
DIR=${BENCH_DIR:-/tmp/unmark-bench}
OUT=${BENCH_OUT:-$HERE}
[ -x "$UNMARK" ] || { echo "bench: $UNMARK is not built (make first)" >&2; exit 2; }
for t in ffmpeg python3 openssl; do
  command -v "$t" >/dev/null || { echo "bench: $t is needed to build the corpus" >&2; exit 2; }
done
for t in exiftool mat2 ffmpeg ffprobe; do
  command -v "$t" >/dev/null || echo "bench: peer $t not found: not measured (apt-get install libimage-exiftool-perl mat2 ffmpeg)"
done
mkdir -p "$DIR"
echo "bench: corpus in $DIR ($(df -Ph "$DIR" | awk 'NR==2 {print $4}') free)"
args=()
[ "${BENCH_NO_LARGE:-0}" = 1 ] && args+=(--no-large)
[ "${BENCH_SMALL:-0}" = 1 ] && args+=(--small)
t0=$(date +%s)
bash "$HERE/make_corpus.sh" "$DIR" "${args[@]}"
echo "bench: corpus ready in $(( $(date +%s) - t0 )) s"
# the stopwatch (bench/timed.c): built here, it needs only the C library
TIMED="$DIR/timed"
cc -O2 -Wall -o "$TIMED" "$HERE/timed.c"
q=()
[ "${BENCH_QUICK:-0}" = 1 ] && q+=(--quick)
python3 "$HERE/bench.py" --unmark "$UNMARK" --corpus "$DIR" --out "$OUT" --timed "$TIMED" "${q[@]}"
echo "bench: done in $(( $(date +%s) - t0 )) s"
