#!/usr/bin/env bash
# End-to-end tests: the real CLI on real trees (the bundled sample drive and trees made
# here). Prints one line per check and "N passed, M failed" last; exits 1 on a failure.
set -u
UNMARK=${UNMARK:-build/unmark}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/unmark-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }

cp -a "$ROOT/testdata/sample-drive" "$T/drive"

# --- scan of the sample drive ---
"$UNMARK" scan -q --json "$T/scan.json" "$T/drive" 2>"$T/scan.err"; rc=$?
check "scan: a malformed file makes the exit code 2" test "$rc" = 2
check "scan: the report is valid JSON" jq_py "$T/scan.json" "pass"
check "scan: every file is in the report" jq_py "$T/scan.json" \
  "assert len(d['files']) == $(find "$T/drive" -type f -o -type l | wc -l), len(d['files'])"
check "scan: the truncated JPEG is a per-file error and the scan went on" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
assert f['IMG_0008_truncated.jpg']['status'] == 'failed' and 'error' in f['IMG_0008_truncated.jpg']
assert f['notes.txt']['status'] == 'clean'"
check "scan: Red Star chain decoded oldest first" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
w=[x for x in f['IMG_0003.jpg']['findings'] if x['kind']=='redstar_watermark'][0]
assert w['ids'] == ['5E1AB2C3D4F9Z', '3BCH496784712'] and w['devices'] == 2 and w['placement'] == 'trailer'"
check "scan: the OOXML mark in growth-hint padding" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
w=[x for x in f['letter.docx']['findings'] if x['kind']=='redstar_watermark'][0]
assert w['placement'] == 'ooxml_padding' and w['offset'] == 80 and w['length'] == 31 and w['ids'] == ['9F8E7D6C5B4A3']"
check "scan: a look-alike trailer is appended data, not an ID" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
k=[x['kind'] for x in f['IMG_0005.jpg']['findings']]
assert k == ['appended_data'], k"
check "scan: data after a ZIP end record" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
a=[x for x in f['archive_with_tail.zip']['findings'] if x['kind']=='appended_data'][0]
assert a['length'] == 120 and a['preview'].startswith('48494444454e') and a['guess'] == 'text', a"
check "scan: the profile trailer" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
assert [x['kind'] for x in f['IMG_0006.jpg']['findings']] == ['redstar_profile']"
check "scan: sha256 of every scanned file" jq_py "$T/scan.json" "
import hashlib
for x in d['files']:
    if x['status'] in ('clean', 'found'):
        assert x['sha256'] == hashlib.sha256(open(x['path'],'rb').read()).hexdigest(), x['path']"
check "scan: summary block on stderr" grep -q "SCAN SUMMARY" "$T/scan.err"

# --- parallel runs and shards give the same report ---
norm() { python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
d.pop('run'); [d['summary'].pop(k) for k in ('seconds','bytes_read')]
print(json.dumps(d, sort_keys=True))" "$1"; }
"$UNMARK" scan -q -j 1 --json "$T/j1.json" "$T/drive" 2>/dev/null
"$UNMARK" scan -q -j 2 --json "$T/j2.json" "$T/drive" 2>/dev/null
"$UNMARK" scan -q -j 8 --json "$T/j8.json" "$T/drive" 2>/dev/null
check "-j 1 and -j 2 give identical reports" test "$(norm "$T/j1.json")" = "$(norm "$T/j2.json")"
check "-j 8 too" test "$(norm "$T/j1.json")" = "$(norm "$T/j8.json")"
for k in 1 2 3; do "$UNMARK" scan -q --shard $k/3 --ndjson "$T/s$k.ndjson" "$T/drive" 2>/dev/null; done
"$UNMARK" merge --json "$T/merged.json" "$T/s1.ndjson" "$T/s2.ndjson" "$T/s3.ndjson"
check "3 shards merged give the files of one run" jq_py "$T/merged.json" "
one=json.load(open('$T/j1.json'))
assert sorted(f['path'] for f in d['files']) == sorted(f['path'] for f in one['files'])
assert d['summary']['findings'] == one['summary']['findings'] and d['summary']['files'] == one['summary']['files']"
"$UNMARK" merge "$T/j1.json" >/dev/null 2>&1; check "merge refuses a JSON (not NDJSON) report" test $? = 2

# --- exit codes ---
mkdir -p "$T/clean"; printf 'hello\n' > "$T/clean/a.txt"
"$UNMARK" scan -q "$T/clean" 2>/dev/null; check "scan: exit 0 on a clean tree" test $? = 0
mkdir -p "$T/tagged"; cp "$T/drive/DCIM/100CAM/IMG_0001.jpg" "$T/tagged/"
"$UNMARK" scan -q "$T/tagged" 2>/dev/null; check "scan: exit 1 on findings" test $? = 1
"$UNMARK" scan -q "$T/does-not-exist" 2>/dev/null; check "scan: exit 2 on a missing root" test $? = 2
"$UNMARK" scan -q --json /dev/full "$T/clean" 2>/dev/null; check "scan: exit 2 when the report cannot be written" test $? = 2
"$UNMARK" frobnicate 2>/dev/null; check "unknown command: exit 2" test $? = 2
"$UNMARK" scan 2>/dev/null; check "scan without a path: exit 2" test $? = 2
"$UNMARK" scan --out x "$T/clean" 2>/dev/null; check "scan refuses scrub options" test $? = 2
check "formats lists the handlers" bash -c "'$UNMARK' formats | grep -q redstar"
check "version prints it" bash -c "'$UNMARK' version | grep -q '^unmark '"
check "help names the commands" bash -c "'$UNMARK' help | grep -q scrub"
check "scrub --help names --out" bash -c "'$UNMARK' scrub --help | grep -q -- --out"

# --- report file permissions, even over an existing file ---
touch "$T/r.json"; chmod 644 "$T/r.json"
"$UNMARK" scan -q --json "$T/r.json" "$T/clean" 2>/dev/null
check "report is created 0600 even over a 0644 file" test "$(stat -c %a "$T/r.json")" = 600

# --- a report to a pipe or a device is written to it, never renamed over it ---
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/from-fifo.json" & reader=$!
"$UNMARK" scan -q --json "$T/fifo" "$T/clean" 2>/dev/null
wait $reader
check "report to a FIFO: the FIFO is still a FIFO" test -p "$T/fifo"
check "report to a FIFO: the reader got the whole report" jq_py "$T/from-fifo.json" "assert d['summary']['files'] == 1"

# --- names, links ---
mkdir -p "$T/odd"; printf 'x' > "$T/odd/$(printf 'bad\xffname')"; printf 'y' > "$T/odd/$(printf 'new\nline')"
ln -s /etc/passwd "$T/odd/link"
"$UNMARK" scan -q --json "$T/odd.json" "$T/odd" 2>/dev/null
check "odd names: path_hex gives the exact bytes" jq_py "$T/odd.json" "
hx=[x.get('path_hex','') for x in d['files']]
assert any(h.endswith('626164ff6e616d65') for h in hx), hx"
check "odd names: a newline in a name survives" jq_py "$T/odd.json" "
assert any(x['path'].endswith('new\nline') for x in d['files'])"
check "symlinks are reported as skipped, not followed" jq_py "$T/odd.json" "
l=[x for x in d['files'] if x['path'].endswith('/link')][0]
assert l['status'] == 'skipped' and 'symbolic link' in l['reason'], l"

# --- scrub --dry-run changes nothing ---
(cd "$T/drive" && find . -type f -exec sha256sum {} + | sort) > "$T/before.sum"
"$UNMARK" scrub -q --dry-run --json "$T/dry.json" "$T/drive" 2>/dev/null
(cd "$T/drive" && find . -type f -exec sha256sum {} + | sort) > "$T/after.sum"
check "scrub --dry-run writes nothing" cmp -s "$T/before.sum" "$T/after.sum"

# --- scrub --out: originals untouched, copies clean ---
"$UNMARK" scrub -q --out "$T/fresh" --json "$T/out.json" "$T/drive" 2>/dev/null; rc=$?
(cd "$T/drive" && find . -type f -exec sha256sum {} + | sort) > "$T/after2.sum"
check "scrub --out leaves the originals byte-identical" cmp -s "$T/before.sum" "$T/after2.sum"
check "scrub --out: exit 2 because the malformed file cannot be cleaned" test "$rc" = 2
check "scrub --out: the malformed file is not carried over" test ! -e "$T/fresh/DCIM/100CAM/IMG_0008_truncated.jpg"
check "scrub --out: clean files are copied as they are" cmp -s "$T/drive/Documents/notes.txt" "$T/fresh/Documents/notes.txt"
check "scrub --out: trailer gone, photo intact" cmp -s "$T/fresh/DCIM/100CAM/IMG_0001.jpg" "$T/drive/DCIM/100CAM/IMG_0002.jpg"
check "scrub --out: two-device chain gone" cmp -s "$T/fresh/DCIM/100CAM/IMG_0003.jpg" "$T/drive/DCIM/100CAM/IMG_0002.jpg"
check "scrub --out: OOXML mark zeroed, ZIP valid" bash -c "cmp -s '$T/fresh/Documents/letter.docx' '$T/drive/Documents/plain.docx' && unzip -tq '$T/fresh/Documents/letter.docx' >/dev/null"
"$UNMARK" scan -q --json "$T/rescan.json" "$T/fresh" 2>/dev/null; rc=$?
check "scrub --out: the cleaned tree scans clean (exit 0)" test "$rc" = 0
check "scrub --out: every file but the malformed one is there" jq_py "$T/rescan.json" "
assert len(d['files']) == $(find "$T/drive" -type f | wc -l) - 1, len(d['files'])"
check "scrub --out: no temporary files left" bash -c "! find '$T/fresh' '$T/drive' -name '.unmark-*' | grep -q ."

# --- --no-sync: the same copies, left to the kernel's writeback; only with --out ---
"$UNMARK" scrub -q --no-sync --out "$T/fresh_ns" --json /dev/null "$T/drive" 2>/dev/null
check "scrub --no-sync --out writes the same cleaned tree" diff -r -q "$T/fresh" "$T/fresh_ns"
"$UNMARK" scrub -q --no-sync "$T/fresh_ns" 2>/dev/null; rc=$?
check "scrub --no-sync without --out is refused (exit 2)" test "$rc" = 2
# --- a drone's telemetry subtitles: reported as a GPS log, left as they are ---
mkdir -p "$T/drone" && cp "$ROOT/testdata/gpslog/DJI_0001.SRT" "$ROOT/testdata/gpslog/film.srt" "$T/drone/"
"$UNMARK" scrub -q --json "$T/drone.json" "$T/drone" 2>/dev/null; rc=$?
check "scrub: a GPS log is a finding left in place (exit 1)" test "$rc" = 1
check "scrub: the GPS log and the film's subtitles are unchanged" bash -c \
  "cmp -s '$T/drone/DJI_0001.SRT' '$ROOT/testdata/gpslog/DJI_0001.SRT' && cmp -s '$T/drone/film.srt' '$ROOT/testdata/gpslog/film.srt'"
check "scrub: the report names the log, its type and why it stays" jq_py "$T/drone.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
g=f['DJI_0001.SRT']
assert g['format'] == 'gpslog' and g['mime'] == 'application/x-subrip', g
assert [x['kind'] for x in g['findings']] == ['location'] and 'not removed' in g['findings'][0]['note'], g
assert f['film.srt']['status'] == 'clean' and f['film.srt']['format'] != 'gpslog', f['film.srt']"

# --- the folders a durable --out created reach the disk once, before unmark exits ---
strace -f -e trace=syncfs -o "$T/sync.trace" "$UNMARK" scrub -q --out "$T/fresh_sync" --json /dev/null "$T/drive" 2>/dev/null
check "scrub --out syncs the output's file system once, at the end" test "$(grep -c 'syncfs(' "$T/sync.trace")" = 1
strace -f -e trace=syncfs -o "$T/sync_ns.trace" "$UNMARK" scrub -q --no-sync --out "$T/fresh_sync_ns" --json /dev/null "$T/drive" 2>/dev/null
check "scrub --no-sync --out does not" test "$(grep -c 'syncfs(' "$T/sync_ns.trace")" = 0
"$UNMARK" scrub -q --dry-run --verify demux "$T/fresh_ns" >/dev/null 2>&1; rc=$?
check "scrub --verify demux is accepted" test "$rc" = 0
"$UNMARK" scrub -q --dry-run --verify slow "$T/fresh_ns" >/dev/null 2>&1; rc=$?
check "scrub --verify with an unknown level is refused (exit 2)" test "$rc" = 2

# --- no fingerprint of our own: the same input scrubs to the same bytes ---
"$UNMARK" scrub -q --out "$T/fresh2" --json /dev/null "$T/drive" 2>/dev/null
check "scrubbing the same tree twice gives identical bytes" diff -r -q "$T/fresh" "$T/fresh2"
check "no encoder tag of our own (Lavf/Lavc/unmark) in any cleaned file" bash -c "! grep -rlaE 'Lavf[0-9]|unmark' '$T/fresh' | grep -q ."

# --- a large file's two digests, taken beside its --out copy (over 64 MiB: a thread) ---
mkdir -p "$T/big" && ffmpeg -v error -f lavfi -i anullsrc=r=44100:cl=stereo -t 400 -c:a pcm_s16le \
  -metadata artist="Kim Chol" -metadata comment="serial SN99" "$T/big/big.wav"
"$UNMARK" scrub -q --out "$T/big-out" --json "$T/big.json" "$T/big" 2>/dev/null; rc=$?
check "scrub --out of a 70 MB file: the report's digests are those of the original and the copy" jq_py "$T/big.json" "
import hashlib
x = d['files'][0]
def sha(p): return hashlib.sha256(open(p, 'rb').read()).hexdigest()
assert x['status'] == 'scrubbed' and $rc == 0, x
assert x['sha256'] == sha('$T/big/big.wav'), x['sha256']
assert x['sha256_after'] == sha('$T/big-out/big.wav'), x['sha256_after']
assert x['sha256'] != x['sha256_after']"
rm -rf "$T/big" "$T/big-out"

# --- scrub in place ---
rm -f "$T/drive/DCIM/100CAM/IMG_0008_truncated.jpg"
"$UNMARK" scrub -q --json "$T/inplace.json" "$T/drive" 2>/dev/null; rc=$?
check "scrub in place: exit 0 when nothing is left" test "$rc" = 0
check "scrub in place: the film keeps its essence" bash -c "
  ffmpeg -v error -i '$T/drive/Films/clip.mp4' -map 0 -c copy -f streamhash -hash md5 - > '$T/a.h' &&
  ffmpeg -v error -i '$ROOT/testdata/sample-drive/Films/clip.mp4' -map 0 -c copy -f streamhash -hash md5 - > '$T/b.h' &&
  cmp -s '$T/a.h' '$T/b.h'"
check "scrub in place: report says in_place and lists the truncation" jq_py "$T/inplace.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
x=f['IMG_0001.jpg']
assert x['status'] == 'scrubbed' and x['scrub_path'] == 'in_place', x
assert x['actions'] == [{'op': 'truncate', 'offset': 2570, 'length': 31}], x['actions']
assert len(x['sha256_after']) == 64"
"$UNMARK" scan -q "$T/drive" 2>/dev/null; check "scrub in place: a second scan is clean" test $? = 0
"$UNMARK" scrub -q --json "$T/again.json" "$T/drive" 2>/dev/null
check "scrub twice: nothing more to do" jq_py "$T/again.json" "assert d['summary']['scrubbed'] == 0"

# --- hostile trees: 10 000 directories deep ---
python3 -c "
import os
fd = os.open('$T', os.O_RDONLY)
os.mkdir('deep', dir_fd=fd); fd2 = os.open('deep', os.O_RDONLY, dir_fd=fd); os.close(fd); fd = fd2
for i in range(10000):
    os.mkdir('d', dir_fd=fd); n = os.open('d', os.O_RDONLY, dir_fd=fd); os.close(fd); fd = n
f = os.open('leaf.txt', os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd); os.write(f, b'x'); os.close(f)"
timeout 120 "$UNMARK" scan -q --json "$T/deep.json" "$T/deep" 2>/dev/null; rc=$?
check "10 000-deep tree: stops at --max-depth and says so" jq_py "$T/deep.json" "
s=[f for f in d['files'] if f['status']=='skipped']
assert $rc == 0 and len(s) == 1 and 'max-depth' in s[0]['reason'], (s, $rc)"
timeout 300 "$UNMARK" scan -q --max-depth 100000 --json "$T/deep2.json" "$T/deep" 2>/dev/null; rc=$?
check "10 000-deep tree with no depth limit: no crash, errors are per directory" jq_py "$T/deep2.json" "
assert $rc in (0, 2), $rc"

# --- limits: --max-findings, --max-embed ---
mkdir -p "$T/lim"; cp "$ROOT/testdata/images/thumbed.jpg" "$T/lim/"
"$UNMARK" scan -q --max-findings 1 --json "$T/lim.json" "$T/lim" 2>/dev/null; rc=$?
check "--max-findings 1: a file with more fails (exit 2), keeps the first and says how to go on" jq_py "$T/lim.json" "
f=d['files'][0]
assert $rc == 2 and f['status'] == 'failed' and len(f['findings']) == 1, ($rc, f)
assert 'more than 1 findings in one file; the rest are not listed (raise --max-findings)' in f['error'], f['error']"
"$UNMARK" scrub -q --max-findings 1 "$T/lim" 2>/dev/null; rc=$?
check "--max-findings 1: scrub leaves the file alone (exit 2)" \
  bash -c "test $rc = 2 && cmp -s '$ROOT/testdata/images/thumbed.jpg' '$T/lim/thumbed.jpg'"
for bad in 0 -3 1x 1000001 ''; do
  "$UNMARK" scan -q --max-findings "$bad" "$T/lim" 2>"$T/lim.err"; rc=$?
  check "--max-findings '$bad' is refused" bash -c "test $rc = 2 && grep -q 'max-findings takes a number from 1 to 1000000' '$T/lim.err'"
done
"$UNMARK" scan -q --max-embed 65 "$T/lim" 2>"$T/lim.err"; rc=$?
check "--max-embed 65 is refused" bash -c "test $rc = 2 && grep -q 'max-embed takes a number from 0 to 64' '$T/lim.err'"
"$UNMARK" scan -q --max-embed 0 --json "$T/emb.json" "$T/lim" 2>/dev/null; rc=$?
check "--max-embed 0: the EXIF not opened is an info finding; info alone exits 0" jq_py "$T/emb.json" "
f=d['files'][0]['findings']
assert $rc == 0 and [(x['kind'], x['severity'], x['where'], x['note']) for x in f] == \
  [('embedded_media', 'info', 'APP1/Exif', 'embedded item at depth 1 not inspected (--max-embed)')], ($rc, f)"

mkdir -p "$T/xa"; printf 'hello\n' > "$T/xa/a.txt"
if python3 -c "import os,sys; os.setxattr(sys.argv[1], 'user.a', b'1'); os.setxattr(sys.argv[1], 'user.b', b'2')" "$T/xa/a.txt" 2>/dev/null; then
  "$UNMARK" scan -q --max-findings 1 --json "$T/xa.json" "$T/xa" 2>/dev/null; rc=$?
  check "--max-findings 1: two extended attributes fail the file too" jq_py "$T/xa.json" "
f=d['files'][0]
assert $rc == 2 and f['status'] == 'failed' and len(f['findings']) == 1 and 'more than 1 findings' in f['error'], ($rc, f)"
else
  echo "skip extended attributes: not supported under $T"
fi
mkdir -p "$T/limout"
"$UNMARK" scrub -q --max-findings 1 --out "$T/limout" --json "$T/limout.json" "$T/lim" 2>/dev/null; rc=$?
check "--max-findings 1 with --out: not copied, and the report keeps why" jq_py "$T/limout.json" "
f=d['files'][0]
assert $rc == 2 and f['status'] == 'failed' and 'raise --max-findings' in f['error'] and 'not copied to --out' in f['error'], ($rc, f)
import os; assert not os.listdir('$T/limout'), os.listdir('$T/limout')"

# --- a file growing while it is scanned: a per-file error, never a crash ---
mkdir -p "$T/grow"; head -c 600000 /dev/urandom > "$T/grow/f.bin"
python3 -c "
import os, sys, time
p = sys.argv[1]
while True:
    with open(p, 'ab') as f: f.write(os.urandom(65536))
    if os.path.getsize(p) > (4 << 20): os.truncate(p, 500000)
    time.sleep(0.001)" "$T/grow/f.bin" & writer=$!
grow_ok=0 grow_changed=0
for i in $(seq "${GROW_RUNS:-20}"); do
  "$UNMARK" scan -q --no-hash --json "$T/grow.json" "$T/grow" 2>/dev/null; rc=$?
  if [ "$rc" -le 2 ] && python3 -m json.tool "$T/grow.json" >/dev/null 2>&1; then grow_ok=$((grow_ok + 1)); fi
  grep -q 'changed while it was being read\|shrank while' "$T/grow.json" && grow_changed=$((grow_changed + 1))
done
kill "$writer"; wait "$writer" 2>/dev/null
check "growing file: every scan exits 0, 1 or 2 with a valid JSON report ($grow_changed of them saw it change)" \
  test "$grow_ok" = "${GROW_RUNS:-20}"
check "growing file: the writer stopped" bash -c "! kill -0 $writer 2>/dev/null"

# --- Ctrl-C leaves a complete report ---
mkdir -p "$T/many"
python3 -c "
import os
for i in range(40000): open(os.path.join('$T/many', 'f%05d.txt' % i), 'w').write('x')"
"$UNMARK" scan -q -j 1 --json "$T/int.json" "$T/many" 2>/dev/null & pid=$!
# Wait until the run has started (its report's temp file exists), then interrupt it.
for _ in $(seq 200); do ls "$T"/int.json.tmp-* >/dev/null 2>&1 && break; sleep 0.05; done
sleep 0.2; kill -INT $pid; wait $pid; rc=$?
check "SIGINT: exit 2" test "$rc" = 2
check "SIGINT: the report is complete JSON marked interrupted" jq_py "$T/int.json" "
assert d['run']['interrupted'] is True and len(d['files']) < 40000, len(d['files'])"

# --- the run says how it hashed: the CPU's SHA extensions exactly when /proc/cpuinfo has them ---
"$UNMARK" scan -q --json "$T/h1.json" "$ROOT/testdata/sample-drive/Films" 2>/dev/null
"$UNMARK" scan -q --no-hash --json "$T/h0.json" "$ROOT/testdata/sample-drive/Films" 2>/dev/null
# (under valgrind the emulated CPU has no SHA extensions, and the report says so)
if [ -n "${UNMARK_REAL:-}" ]; then want="SHA-256 (nettle, "
elif grep -qw sha_ni /proc/cpuinfo; then want="with the CPU's SHA extensions"; else want="portable code"; fi
check "the run header names the SHA-256 implementation" jq_py "$T/h1.json" "
assert d['run']['hashed'] is True and \"$want\" in d['run']['hash'], d['run']"
check "with --no-hash the run header has no hash" jq_py "$T/h0.json" "
assert d['run']['hashed'] is False and 'hash' not in d['run'], d['run']"

# --- FFmpeg is loaded when a file needs it, not at start (common/avlib.c) ---
if ldd "$UNMARK" >/dev/null 2>&1; then
  check "FFmpeg is not linked into the program" bash -c "! ldd '$UNMARK' | grep -q libavcodec"
  check "libxml2 is not linked into the program" bash -c "! ldd '$UNMARK' | grep -q libxml2"
  LD_DEBUG=libs "$UNMARK" scan -q --json /dev/null "$ROOT/testdata/sample-drive/Documents" 2>"$T/ld1.txt" >/dev/null
  check "scanning documents does not load FFmpeg" bash -c "! grep -q 'calling init: .*libavformat' '$T/ld1.txt'"
  check "scanning documents loads libxml2 for their XML" grep -q 'calling init: .*libxml2' "$T/ld1.txt"
  LD_DEBUG=libs "$UNMARK" scan -q --no-hash --json /dev/null "$ROOT/testdata/sample-drive/Films/clip.mp4" 2>"$T/ld0.txt" >/dev/null
  check "scanning a film loads neither FFmpeg nor libxml2" bash -c "! grep -q 'calling init: .*\\(libavformat\\|libxml2\\)' '$T/ld0.txt'"
  cp "$ROOT/testdata/sample-drive/Films/clip.mp4" "$T/clip.mp4"
  LD_DEBUG=libs "$UNMARK" scrub -q --json /dev/null "$T/clip.mp4" 2>"$T/ld2.txt" >/dev/null
  check "scrubbing a film loads FFmpeg to verify it" grep -q 'calling init: .*libavformat' "$T/ld2.txt"
fi

# --- libmagic is opened when a file needs it: a film named by its handler never opens
# its database; a file no handler names and libmagic cannot type fails, saying why ---
strace -f -e trace=openat -o "$T/magic.trace" "$UNMARK" scan -q --json /dev/null \
  "$ROOT/testdata/sample-drive/Films/clip.mp4" >/dev/null 2>&1
check "scanning a film does not open libmagic's database" bash -c "! grep -q 'magic.mgc' '$T/magic.trace'"
strace -f -e trace=openat -o "$T/magic2.trace" "$UNMARK" scan -q --json /dev/null \
  "$ROOT/testdata/sample-drive/Documents/notes.txt" >/dev/null 2>&1
check "scanning a plain text file opens libmagic's database" grep -q 'magic.mgc' "$T/magic2.trace"
MAGIC=/nonexistent "$UNMARK" scan -q --json "$T/nomagic.json" "$ROOT/testdata/sample-drive" 2>/dev/null
check "without libmagic's database only the files it must type fail" jq_py "$T/nomagic.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
assert f['notes.txt']['status'] == 'failed' and 'libmagic' in f['notes.txt']['error'], f['notes.txt']
assert f['IMG_0003.jpg']['status'] == 'found' and f['IMG_0003.jpg']['mime'] == 'image/jpeg'
g=[x for x in f['archive_with_tail.zip']['findings'] if x['kind']=='appended_data'][0]
assert f['archive_with_tail.zip']['status'] == 'found' and g['guess'] == 'text', g"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
