#!/usr/bin/env bash
# Threads under ThreadSanitizer: every fixture in testdata/ (all formats, hostile files
# included), copied four times over, scanned and scrubbed (--out and in place) with
# -j 4, so that workers parse, verify, hash and write the report concurrently. Any
# race report fails the check. UNMARK is a -fsanitize=thread build (make check-tsan).
set -u
UNMARK=${UNMARK:?a ThreadSanitizer build of unmark}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/unmark-tsan-XXXXXX)
trap 'rm -rf "$T"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 report_signal_unsafe=0"
for i in 1 2 3 4; do mkdir -p "$T/tree/$i" && cp -a "$ROOT/testdata/." "$T/tree/$i/"; done
n=$(find "$T/tree" -type f | wc -l)
fail=0
run() {
  local name=$1; shift
  "$UNMARK" "$@" 2>"$T/err.txt" >/dev/null; local rc=$?
  if [ $rc -gt 2 ] || grep -q "ThreadSanitizer" "$T/err.txt"; then
    echo "FAIL $name (exit $rc)"; grep -A20 -m1 "WARNING: ThreadSanitizer" "$T/err.txt"; fail=1
  else
    echo "ok   $name (exit $rc)"
  fi
}
run "scan -j 4 of $n files" scan -q -j 4 --json "$T/scan.json" "$T/tree"
run "scrub --out -j 4" scrub -q -j 4 --out "$T/out" --json "$T/out.json" "$T/tree"
run "scrub in place -j 4" scrub -q -j 4 --json "$T/inplace.json" "$T/tree"
[ $fail = 0 ] && echo "no data race in $n files" || exit 1
