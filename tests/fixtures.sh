#!/usr/bin/env bash
# Checks over real files made by other people's systems (../shared/fixtures). Skips,
# saying so, when that folder is not there. Prints "N passed, M failed" last.
set -u
UNMARK=${UNMARK:-build/unmark}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${UNMARK_SHARED:-$ROOT/../shared}
FX="$SHARED/fixtures"
if [ ! -d "$FX/redstar" ]; then
  echo "SKIPPED: $FX not found; the checks over real fixtures did not run"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
T=$(mktemp -d /tmp/unmark-fx-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { local name=$1; shift; if "$@"; then echo "ok   $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi; }
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }

cp "$FX"/redstar/* "$T/"; chmod u+w "$T"/*
"$UNMARK" scan -q --json "$T/scan.json" "$T" 2>/dev/null
check "real Red Star: first user's ID" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
w=f['preview_bottle_firstuser.jpg']['findings']
assert [x['kind'] for x in w] == ['redstar_watermark'] and w[0]['ids'] == ['AC9A58CDZ364C'] and w[0]['standard_form'] == [True], w"
check "real Red Star: second user's chain, oldest first" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
w=f['preview_bottle_seconduser.jpg']['findings'][0]
assert w['ids'] == ['AC9A58CDZ364C', '8295FF513293A'] and w['devices'] == 2 and w['length'] == 55, w"
check "real Red Star: the untouched original is clean" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
assert f['preview_bottle_original.jpg']['status'] == 'clean'"
check "real Red Star: love.docx mark in growth-hint padding" jq_py "$T/scan.json" "
f={x['path'].split('/')[-1]: x for x in d['files']}
w=[x for x in f['love.docx']['findings'] if x['kind'] == 'redstar_watermark']
assert len(w) == 1 and w[0]['ids'] == ['B48Z789B3AZ97'] and w[0]['placement'] == 'ooxml_padding' and w[0]['offset'] == 80, w"

mkdir -p "$T/full"; cp "$T/love.docx" "$T/full/"
"$UNMARK" scrub -q --strip redstar_watermark "$T" 2>/dev/null   # the watermark alone
"$UNMARK" scrub -q "$T/full" 2>/dev/null
check "scrub: first user's file is byte-identical to the original" cmp -s "$T/preview_bottle_firstuser.jpg" "$FX/redstar/preview_bottle_original.jpg"
check "scrub: second user's file is byte-identical to the original" cmp -s "$T/preview_bottle_seconduser.jpg" "$FX/redstar/preview_bottle_original.jpg"
check "scrub: love.docx differs only in the 31 bytes at offset 80, now zero" python3 -c "
a=open('$FX/redstar/love.docx','rb').read(); b=open('$T/love.docx','rb').read()
assert len(a) == len(b)
diff=[i for i in range(len(a)) if a[i] != b[i]]
assert diff and min(diff) >= 80 and max(diff) < 111, diff
assert b[80:111] == bytes(31)"
check "scrub: love.docx passes a ZIP integrity test" bash -c "unzip -tq '$T/love.docx' >/dev/null && python3 -c \"import zipfile,sys; sys.exit(zipfile.ZipFile('$T/love.docx').testzip() is not None)\""
check "full scrub of love.docx (its Office metadata too): valid ZIP, scans clean" bash -c "unzip -tq '$T/full/love.docx' >/dev/null && '$UNMARK' scan -q '$T/full'"

if [ -x "$ROOT/tests/fixtures_metadata.py" ] && [ -d "$FX/mat2" ]; then
  UNMARK="$UNMARK" python3 "$ROOT/tests/fixtures_metadata.py" "$FX/mat2"; rc=$?
  check "mat2 fixtures: every identifying tag reported and removed (table above)" test "$rc" = 0
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
