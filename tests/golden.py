#!/usr/bin/env python3
"""Golden reports: scans (and scrubs) of the bundled sample drive, normalised (run
times, temp paths), compared with testdata/golden/*.json. `--update` rewrites them
after an intended change; review the diff before committing it."""
import json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNMARK = os.environ.get("UNMARK", os.path.join(ROOT, "build", "unmark"))
GOLDEN = os.path.join(ROOT, "testdata", "golden")
update = "--update" in sys.argv


def normalise(doc, base):
    doc["run"] = {k: v for k, v in doc["run"].items() if k in ("command", "interrupted", "hashed")}
    for k in ("seconds", "bytes_read"):
        doc["summary"].pop(k, None)
    for f in doc["files"]:
        f["path"] = f["path"].replace(base, "DRIVE")
    return doc


passed = failed = 0
with tempfile.TemporaryDirectory() as t:
    drive = os.path.join(t, "drive")
    shutil.copytree(os.path.join(ROOT, "testdata", "sample-drive"), drive, symlinks=True)
    runs = {
        "sample-drive.scan.json": [UNMARK, "scan", "-q", "--json", "-", drive],
        "sample-drive.scrub-out.json": [UNMARK, "scrub", "-q", "--out", os.path.join(t, "out"), "--json", "-", drive],
    }
    for name, argv in runs.items():
        out = subprocess.run(argv, capture_output=True, text=True).stdout
        got = normalise(json.loads(out), drive)
        path = os.path.join(GOLDEN, name)
        if update:
            with open(path, "w") as f:
                json.dump(got, f, indent=1, ensure_ascii=False, sort_keys=True)
                f.write("\n")
            print("updated", name)
            continue
        want = json.load(open(path))
        if got == want:
            print("ok   golden", name)
            passed += 1
        else:
            print("FAIL golden", name, "(run tests/golden.py --update after an intended change)")
            for a, b in zip(got["files"], want["files"]):
                if a != b:
                    print("  first difference in", a["path"])
                    print("   got: ", json.dumps(a, sort_keys=True)[:600])
                    print("   want:", json.dumps(b, sort_keys=True)[:600])
                    break
            failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
