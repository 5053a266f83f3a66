#!/usr/bin/env bash
# First run on a fresh Debian 12 machine: install what is missing, build, and scan the
# bundled sample drive (testdata/sample-drive), printing the summary and the report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -j"$(nproc)"
work=$(mktemp -d /tmp/unmark-sample-XXXXXX)
cp -a testdata/sample-drive "$work/drive"
echo
echo "== unmark scan --json $work/report.json $work/drive"
set +e
build/unmark scan --json "$work/report.json" "$work/drive"
rc=$?
set -e
echo
echo "== the JSON report ($work/report.json, mode 0600):"
cat "$work/report.json"
echo
case $rc in
  0) echo "exit 0: nothing found" ;;
  1) echo "exit 1: findings (as expected on the sample drive)" ;;
  2) echo "exit 2: findings, and at least one file could not be checked (the sample drive holds a deliberately truncated JPEG)" ;;
esac
echo "To clean a copy: build/unmark scrub --out /tmp/clean $work/drive"
