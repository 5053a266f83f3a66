#!/usr/bin/env python3
"""Every state an in-place scrub can be killed in, replayed deterministically: for each
fixture that scrubs in place, the report's actions are applied one at a time in the
scrubber's own order (stage by stage: renames a handler needs first, zeroing, other
rewrites such as tables and CRCs; the tail to be cut zeroed with the last stage, then cut). Each intermediate file must still decode
(media), and after a second scrub nothing identifying may be left: every byte the
uninterrupted scrub zeroes is zero, and a re-scan finds nothing removable.

Why zeroing comes first: a replacement that rewrites a table (an EXIF IFD, a ZIP
directory) before the values it pointed at are zeroed would leave those values in the
file with nothing pointing at them, where no re-scan could find them. Zeroed first,
what a crash leaves is either already zero or still referenced, and found again.
Prints 'N passed, M failed'."""
import json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNMARK = os.environ.get("UNMARK", os.path.join(ROOT, "build", "unmark"))
DIRS = ["isobmff", "matroska", "riff", "audio", "images", "docs", "av"]


def scrub(path, report):
    subprocess.run([UNMARK, "scrub", "-q", "-j", "1", "--json", report, path],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.load(open(report))["files"][0]


def decodes(path):
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:V?", "-map", "0:a?",
                        "-frames", "1", "-f", "null", "-"], capture_output=True, text=True)
    return r.returncode, r.stderr.strip()


passed = failed = states = 0
with tempfile.TemporaryDirectory() as t:
    for d in DIRS:
        src = os.path.join(ROOT, "testdata", d)
        if not os.path.isdir(src):
            continue
        for name in sorted(os.listdir(src)):
            orig_path = os.path.join(src, name)
            if not os.path.isfile(orig_path):
                continue
            ref = os.path.join(t, "ref-" + name)
            shutil.copy(orig_path, ref)
            f = scrub(ref, os.path.join(t, "ref.json"))
            if f.get("scrub_path") != "in_place":
                continue
            orig = open(orig_path, "rb").read()
            want = open(ref, "rb").read()
            acts = f["actions"]
            media = decodes(orig_path)[0] == 0
            steps = []
            b = bytearray(orig)
            # The scrubber's order: stage by stage, each in offset order; the tail to be
            # cut is zeroed (not yet cut) first among the last stage's writes.
            edits = sorted([x for x in acts if x["op"] in ("zero", "replace")],
                           key=lambda x: (x["stage"], x["offset"]))
            tails = [x for x in acts if x["op"] == "truncate"]
            last = edits[-1]["stage"] if edits else None
            for a in edits:
                if tails and a["stage"] == last:
                    t0 = tails.pop()["offset"]
                    b[t0:] = bytes(len(b) - t0)
                    steps.append(bytes(b))
                if a["op"] == "zero":
                    b[a["offset"]:a["offset"] + a["length"]] = bytes(a["length"])
                else:
                    b[a["offset"]:a["offset"] + a["length"]] = want[a["offset"]:a["offset"] + a["length"]]
                steps.append(bytes(b))
            for a in tails:
                b[a["offset"]:] = bytes(len(b) - a["offset"])   # zeroed, not yet cut
                steps.append(bytes(b))
            problems = []
            mid = os.path.join(t, "mid-" + name)
            for i, s in enumerate(steps):
                states += 1
                open(mid, "wb").write(s)
                if media:
                    rc, err = decodes(mid)
                    if rc:
                        problems.append(f"state {i + 1} does not decode ({err[:60]})")
                scrub(mid, os.path.join(t, "mid.json"))
                out = open(mid, "rb").read()
                zero_ranges = [a for a in acts if a["op"] == "zero"]
                if any(out[a["offset"]:a["offset"] + a["length"]].strip(b"\0") for a in zero_ranges):
                    problems.append(f"state {i + 1}: identifying bytes survive a second scrub")
                again = subprocess.run([UNMARK, "scan", "-q", "-j", "1", "--json", "-", mid],
                                       capture_output=True, text=True).stdout
                left = [x for x in json.loads(again)["files"][0]["findings"] if x["removable"]]
                if left:
                    problems.append(f"state {i + 1}: a second scrub leaves {left[0]['kind']} at {left[0]['where']}")
                if media and decodes(mid)[0]:
                    problems.append(f"state {i + 1}: the second scrub's result does not decode")
            ok = not problems
            passed += ok
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {d}/{name}: {len(steps)} intermediate states"
                  + ("; " + "; ".join(problems[:3]) if problems else ""))
print(f"{states} intermediate states replayed")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
