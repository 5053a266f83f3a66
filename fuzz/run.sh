#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (default 60), seeded from the committed
# corpora and testdata/. A crash, leak, timeout or out-of-memory fails the run; the
# input is saved under fuzz/regressions/<target>/ (commit it: tests/test_regressions.c
# replays every file there). Prints per target: executions and the result.
set -u
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-60}
B=build-fuzz
fail=0 pass=0
for bin in "$B"/fuzz_*; do
  name=${bin##*/fuzz_}
  work="$B/corpus/$name"; mkdir -p "$work" "fuzz/corpus/$name" "fuzz/regressions/$name"
  log="$B/$name.log"
  "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -artifact_prefix="fuzz/regressions/$name/" -print_final_stats=1 \
    "$work" "fuzz/corpus/$name" testdata >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  if [ $rc -eq 0 ]; then
    echo "ok   fuzz_$name: ${execs:-?} executions in ${SECS} s, no finding"; pass=$((pass + 1))
  else
    echo "FAIL fuzz_$name (exit $rc): see $log; input saved in fuzz/regressions/$name/"
    grep -m5 -E 'ERROR|SUMMARY' "$log"; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
