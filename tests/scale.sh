#!/usr/bin/env bash
# Scale: a tree of a million empty files (SCALE_DIRS x SCALE_FILES, 1000 x 1000 by
# default). A scan must list every one of them, exit 0, and stay in bounded memory:
# the walk, the workers and the report all stream, so peak RSS must not grow with the
# number of files (under SCALE_RSS_MIB, 64 by default). Runs the NDJSON report, the
# JSON report, and -j 1 beside the default number of workers; prints wall time and
# peak RSS of each. Prints "N passed, M failed" last; exits 1 on a failure.
set -u
UNMARK=${UNMARK:-build/unmark}
DIRS=${SCALE_DIRS:-1000}
FILES=${SCALE_FILES:-1000}
RSS_MIB=${SCALE_RSS_MIB:-64}
N=$((DIRS * FILES))
T=$(mktemp -d /tmp/unmark-scale-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

start=$(date +%s%N)
python3 - "$T/tree" "$DIRS" "$FILES" <<'PY'
import os, sys
root, dirs, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.mkdir(root)
flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
for d in range(dirs):
    dpath = os.path.join(root, "d%04d" % d)
    os.mkdir(dpath)
    dfd = os.open(dpath, os.O_RDONLY | os.O_DIRECTORY)
    for f in range(files):
        os.close(os.open("f%04d" % f, flags, 0o644, dir_fd=dfd))
    os.close(dfd)
PY
echo "created $N empty files in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# run NAME ARGS...: one scan under /usr/bin/time -v; sets rc, wall, rss_kib.
run() {
  local name=$1; shift
  /usr/bin/time -v -o "$T/$name.time" "$UNMARK" scan -q --no-hash "$@" "$T/tree" 2>"$T/$name.err"
  rc=$?
  rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$T/$name.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): *//p' "$T/$name.time")
  printf '%-10s exit %s  wall %s  peak RSS %.1f MiB\n' "$name" "$rc" "$wall" "$(awk "BEGIN { print ${rss_kib:-0} / 1024 }")"
}
rss_ok() { test -n "$rss_kib" && test "$rss_kib" -lt $((RSS_MIB * 1024)); }

run ndjson --ndjson "$T/out.ndjson"
check "ndjson: exit 0 on $N empty files" test "$rc" = 0
check "ndjson: one clean file record for each of the $N files" test \
  "$(grep -c '"status":"clean","findings":\[\],"actions":\[\],"record":"file"}$' "$T/out.ndjson")" = "$N"
check "ndjson: no other file records" test "$(grep -c '"record":"file"' "$T/out.ndjson")" = "$N"
check "ndjson: the footer counts $N files, no errors" python3 -c "
import json,sys
f=json.loads(open(sys.argv[1]).readlines()[-1])
assert f['record'] == 'footer' and f['summary']['files'] == $N and f['summary']['errors'] == 0, f['summary']" "$T/out.ndjson"
check "ndjson: peak RSS under $RSS_MIB MiB" rss_ok
rm -f "$T/out.ndjson"

run json --json "$T/out.json"
check "json: exit 0" test "$rc" = 0
check "json: a valid report with $N clean files" python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
assert len(d['files']) == $N and all(f['status'] == 'clean' for f in d['files']), len(d['files'])
assert d['summary']['files'] == $N" "$T/out.json"
check "json: peak RSS under $RSS_MIB MiB" rss_ok
rm -f "$T/out.json"

run j1 -j 1 --ndjson "$T/j1.ndjson"
check "-j 1: exit 0" test "$rc" = 0
check "-j 1: $N file records" test "$(grep -c '"record":"file"' "$T/j1.ndjson")" = "$N"
check "-j 1: peak RSS under $RSS_MIB MiB" rss_ok

echo "$pass passed, $fail failed"
test "$fail" = 0
