#!/usr/bin/env python3
"""Validates real reports against schema/report.schema.json: a scan and a scrub of the
sample drive, as JSON and as NDJSON. Prints one line per check and 'N passed, M failed'."""
import json, os, shutil, subprocess, sys, tempfile

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNMARK = os.environ.get("UNMARK", os.path.join(ROOT, "build", "unmark"))
schema = json.load(open(os.path.join(ROOT, "schema", "report.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail and not ok else ""))
    if ok:
        passed += 1
    else:
        failed += 1


def errors_of(doc):
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)]


with tempfile.TemporaryDirectory() as t:
    drive = os.path.join(t, "drive")
    shutil.copytree(os.path.join(ROOT, "testdata", "sample-drive"), drive, symlinks=True)
    for cmd in ("scan", "scrub"):
        for fmt in ("json", "ndjson"):
            out = os.path.join(t, f"{cmd}.{fmt}")
            if cmd == "scrub":
                args = [UNMARK, cmd, "-q", "--out", os.path.join(t, f"out-{fmt}"), f"--{fmt}", out, drive]
            else:
                args = [UNMARK, cmd, "-q", f"--{fmt}", out, drive]
            rc = subprocess.run(args, stderr=subprocess.DEVNULL).returncode
            check(f"{cmd} {fmt}: exit code is 0, 1 or 2", rc in (0, 1, 2), str(rc))
            text = open(out).read()
            if fmt == "json":
                doc = json.loads(text)
            else:
                recs = [json.loads(line) for line in text.splitlines()]
                check(f"{cmd} ndjson: header first, footer last",
                      recs[0].get("record") == "header" and recs[-1].get("record") == "footer")
                files = [{k: v for k, v in r.items() if k != "record"} for r in recs if r.get("record") == "file"]
                doc = {"report_version": recs[0]["report_version"], "tool": recs[0]["tool"],
                       "run": recs[-1]["run"], "files": files, "summary": recs[-1]["summary"]}
            errs = errors_of(doc)
            check(f"{cmd} {fmt}: valid against the schema", not errs, "; ".join(errs[:5]))
            check(f"{cmd} {fmt}: report is private (0600)", (os.stat(out).st_mode & 0o777) == 0o600,
                  oct(os.stat(out).st_mode & 0o777))
            check(f"{cmd} {fmt}: summary counts the files", doc["summary"]["files"] == len(doc["files"]))
    # The schema is not vacuous: a broken report must fail it.
    bad = json.loads(open(os.path.join(t, "scan.json")).read())
    bad["files"][0]["status"] = "fine"
    check("schema rejects an unknown status", bool(errors_of(bad)))
    bad = json.loads(open(os.path.join(t, "scan.json")).read())
    for f in bad["files"]:
        for x in f["findings"]:
            if x["kind"] == "redstar_watermark":
                del x["ids"]
    check("schema requires ids on a watermark", bool(errors_of(bad)))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
