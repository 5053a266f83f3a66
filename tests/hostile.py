#!/usr/bin/env python3
"""Hostile files (testdata/hostile, made by testdata/gen_hostile.py): each is scanned
alone and must end with a clear per-file result (clean, found, or failed with an
error), never a crash, hang or runaway memory; then a scrub of a copy must not crash
and must leave the file valid or untouched. Prints a line per file with the time and
peak memory measured, then 'N passed, M failed'."""
import json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNMARK = os.environ.get("UNMARK", os.path.join(ROOT, "build", "unmark"))
SRC = os.path.join(ROOT, "testdata", "hostile")
LIMIT_S, LIMIT_MIB = 10.0, 256


def run(argv):
    import time
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        return None, out, 60.0
    return p.returncode, out, time.monotonic() - t0


def peak_mib(argv):
    """Peak resident memory of one run, from a fresh parent so nothing else counts."""
    r = subprocess.run(["python3", "-c", "import sys,resource,subprocess;"
                        "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
                        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *argv],
                       capture_output=True, text=True, timeout=120)
    try:
        return int(r.stdout.strip()) / 1024.0
    except ValueError:
        return -1.0


passed = failed = 0
worst_t = worst_m = 0.0
with tempfile.TemporaryDirectory() as t:
    for name in sorted(os.listdir(SRC)):
        path = os.path.join(SRC, name)
        # A fresh interpreter-free measure of peak memory: run under /proc accounting via a child shell.
        rc, out, secs = run([UNMARK, "scan", "-q", "-j", "1", "--json", "-", path])
        peak = peak_mib([UNMARK, "scan", "-q", "-j", "1", "--no-hash", "--json", "/dev/null", path])
        problems = []
        status = "?"
        if rc is None:
            problems.append("hung (killed after 60 s)")
        elif rc not in (0, 1, 2):
            problems.append(f"exit {rc} (crash)")
        else:
            try:
                d = json.loads(out)
                f = d["files"][0]
                status = f["status"] + (": " + f.get("error", "") if f["status"] == "failed" else "")
            except (ValueError, KeyError, IndexError):
                problems.append("no valid report")
        if secs > LIMIT_S:
            problems.append(f"took {secs:.1f} s")
        if peak > LIMIT_MIB:
            problems.append(f"peak memory {peak:.0f} MiB")
        # Scrub a copy: must not crash; a failure keeps the original byte for byte.
        work = os.path.join(t, name)
        shutil.copy(path, work)
        rc2 = subprocess.run([UNMARK, "scrub", "-q", "-j", "1", "--json", os.devnull, work],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120).returncode
        if rc2 not in (0, 1, 2):
            problems.append(f"scrub exit {rc2} (crash)")
        worst_t, worst_m = max(worst_t, secs), max(worst_m, peak)
        ok = not problems
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {status[:70]} ({secs:.2f} s, {peak:.0f} MiB)"
              + ("; " + "; ".join(problems) if problems else ""))
print(f"worst: {worst_t:.2f} s, {worst_m:.0f} MiB peak resident (limits {LIMIT_S:.0f} s, {LIMIT_MIB} MiB)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
