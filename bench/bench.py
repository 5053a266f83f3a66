#!/usr/bin/env python3
"""unmark against its peers (exiftool, mat2, ffmpeg/ffprobe) and the lower bounds
(cat, tail, cp, truncate), on the corpus of make_corpus.sh. python3 stdlib only.

  bench.py --unmark PATH --corpus DIR --out DIR --timed STOPWATCH [--quick]

Every command runs under the stopwatch (bench/timed.c), straight when it is a simple
command and under `bash -c` when it needs a shell, a warm-up run first, then RUNS timed
runs; the table shows medians. For each run the stopwatch takes wall time, exit code
and max RSS (wait4 rusage of the command's process tree) and the driver the I/O counters
of /proc/self/io, which include the reaped children (rchar = bytes returned by
read(); read_bytes = bytes fetched from the disk, meaningful after a cache drop).
Cold runs drop the page cache first (root only; skipped, saying so, otherwise).

Writes OUT/results.json (every run) and OUT/results.md (the tables and targets) and
prints the same. A missed target is printed as FAIL; the exit status stays 0.
"""
import argparse
import json
import os
import platform
import shlex
import shutil
import stat
import statistics
import subprocess
import sys
import time

Q = shlex.quote
NULL = "/dev/null"      # replaced in main() by a private null device (see there)
SHELL_SYNTAX = set("|&;<>()$`\\\"*?[]{}~!#\n")


def direct_argv(cmd):
    """The argv of a simple command (words, single-quoted words, a last '> NULL', which
    the driver's own stdout already is), or None: that one needs bash. A simple command
    starts straight from the stopwatch; bash would add a millisecond to each."""
    tail = " > " + NULL
    if cmd.endswith(tail):
        cmd = cmd[:-len(tail)]
    if any(c in SHELL_SYNTAX for c in cmd):
        return None
    try:
        return shlex.split(cmd)
    except ValueError:
        return None


def log(msg):
    print(msg, flush=True)


def read_io():
    d = {}
    with open("/proc/self/io") as f:
        for ln in f:
            k, v = ln.split(":")
            d[k.strip()] = int(v)
    return d


def can_drop():
    return os.access("/proc/sys/vm/drop_caches", os.W_OK)


def evict(paths):
    """Drops these files' pages from the page cache (clean pages only: sync first), so that
    read_bytes counts the corpus and not the programs' own libraries."""
    subprocess.run(["sync"])
    for top in paths:
        todo = [top] if os.path.isfile(top) else [os.path.join(r, f) for r, _, fs in os.walk(top) for f in fs]
        for p in todo:
            try:
                fd = os.open(p, os.O_RDONLY)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                os.close(fd)
            except OSError:
                pass


def meminfo():
    """/proc/meminfo in bytes."""
    m = {}
    with open("/proc/meminfo") as f:
        for ln in f:
            k, v = ln.split(":")
            m[k] = int(v.split()[0]) * 1024
    return m


def settle(limit=64 << 20, wait_s=60):
    """Waits (at most wait_s) until the writeback of earlier work is done: a few GiB of
    dirty pages being written out take a core from whatever is timed next."""
    subprocess.run(["sync"])
    t = time.time()
    while time.time() - t < wait_s:
        m = meminfo()
        if m.get("Dirty", 0) + m.get("Writeback", 0) < limit:
            return
        time.sleep(0.5)


def drop_caches():
    subprocess.run(["sync"])
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


class Bench:
    def __init__(self, a):
        self.a = a
        self.records = []
        self.errlog = open(os.path.join(a.work, "stderr.log"), "w")
        self.timed_out = os.path.join(a.work, "timed.txt")
        self.null = open(NULL, "r+b")

    def sh(self, cmd):
        """An untimed helper command (prepare steps)."""
        cmd = cmd.replace("/dev/null", NULL)
        r = subprocess.run(["bash", "-c", cmd], stdin=self.null, stdout=self.errlog,
                           stderr=self.errlog)
        return r.returncode

    def once(self, cmd, cold=False):
        cmd = cmd.replace("/dev/null", NULL)
        if cold:
            drop_caches()
        self.errlog.write("$ %s\n" % cmd)
        self.errlog.flush()
        if os.path.exists(self.timed_out):
            os.unlink(self.timed_out)
        argv = [self.a.timed, self.timed_out] + (direct_argv(cmd) or ["bash", "-c", cmd])
        a = read_io()
        t = time.perf_counter()
        p = subprocess.Popen(argv, stdin=self.null, stdout=self.null, stderr=self.errlog)
        _, status, ru = os.wait4(p.pid, 0)
        outer = time.perf_counter() - t
        b = read_io()
        try:
            wall, rc, rss, user, sys_ = open(self.timed_out).read().split()
            wall, rc, rss, user, sys_ = float(wall), int(rc), int(rss), float(user), float(sys_)
        except (OSError, ValueError):
            # the stopwatch failed: the driver's own figures (its process start included)
            wall, rc, rss = outer, os.waitstatus_to_exitcode(status), ru.ru_maxrss
            user, sys_ = ru.ru_utime, ru.ru_stime
        return {"wall_s": wall, "rc": rc, "maxrss_kb": rss, "user_s": user, "sys_s": sys_,
                "rchar": b["rchar"] - a["rchar"], "read_bytes": b["read_bytes"] - a["read_bytes"],
                "wchar": b["wchar"] - a["wchar"], "write_bytes": b["write_bytes"] - a["write_bytes"]}

    def run(self, group, name, cmd, runs=None, warmup=1, prepare=None, cold=False, scale=1.0,
            note=None, ok_rc=(0, 1)):
        """Times cmd; prepare (untimed) runs before every run, warm-up included."""
        runs = runs or self.a.runs
        if cold and not can_drop():
            log("  %-44s skipped: cannot drop the page cache (not root)" % name)
            return None
        out = []
        load0 = os.getloadavg()[0]
        for i in range(warmup + runs):
            if prepare:
                self.sh(prepare)
            r = self.once(cmd, cold=cold)
            if i >= warmup:
                out.append(r)
        return self.record(group, name, cmd, out, load0, prepare=prepare, cold=cold, scale=scale,
                           note=note, ok_rc=ok_rc)

    def run_interleaved(self, group, specs, runs=None, warmup=1, prepare=None, ok_rc=(0, 1)):
        """Times several (name, cmd) in turn, one run of each per round, so that what
        else the machine does in a second or two falls on all of them alike: their
        ratios (-j 2 / -j 1, unmark / cat, cp / unmark) then compare like with like.
        prepare (untimed) runs before every run of every command."""
        runs = runs or self.a.runs
        outs = [[] for _ in specs]
        load0 = os.getloadavg()[0]
        for i in range(warmup + runs):
            for k, (_, cmd) in enumerate(specs):
                if prepare:
                    self.sh(prepare)
                r = self.once(cmd)
                if i >= warmup:
                    outs[k].append(r)
        return [self.record(group, name, cmd, outs[k], load0, prepare=prepare, ok_rc=ok_rc,
                            note="interleaved with %d other command(s)" % (len(specs) - 1))
                for k, (name, cmd) in enumerate(specs)]

    def record(self, group, name, cmd, out, load0, prepare=None, cold=False, scale=1.0, note=None,
               ok_rc=(0, 1)):
        walls = [r["wall_s"] for r in out]
        med = statistics.median(walls)
        rec = {"group": group, "name": name, "cmd": cmd, "prepare": prepare, "cold": cold,
               "runs": out, "n": len(out), "median_s": med, "min_s": min(walls), "max_s": max(walls),
               "scale": scale, "median_scaled_s": med * scale,
               "rcs": sorted(set(r["rc"] for r in out)),
               "maxrss_kb": max(r["maxrss_kb"] for r in out),
               "read_bytes": statistics.median([r["read_bytes"] for r in out]),
               "rchar": statistics.median([r["rchar"] for r in out]),
               "ok": all(r["rc"] in ok_rc for r in out), "note": note,
               "load_before": round(load0, 2), "load_after": round(os.getloadavg()[0], 2)}
        self.records.append(rec)
        extra = " (x%g = %s)" % (scale, fmt_s(med * scale)) if scale != 1 else ""
        bad = "" if rec["ok"] else "  exit %s" % ",".join(map(str, rec["rcs"]))
        log("  %-44s %9s%s  [%s..%s, %d runs]  rss %s%s" % (name, fmt_s(med), extra, fmt_s(min(walls)),
            fmt_s(max(walls)), len(out), fmt_b(rec["maxrss_kb"] * 1024), bad))
        return rec


def peak_mem(argv, period=0.005):
    """Runs argv (no shell, output discarded) and samples /proc/PID/status: peak VmRSS,
    RssAnon (heap, stacks: what the program allocates) and RssFile (mapped file pages,
    which the kernel can drop at any time). Sampling can miss a short peak."""
    with open(NULL, "r+b") as nul:
        p = subprocess.Popen(argv, stdin=nul, stdout=nul, stderr=nul)
    peak = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0, "VmHWM": 0}
    path = "/proc/%d/status" % p.pid
    while p.poll() is None:
        try:
            with open(path) as f:
                for ln in f:
                    k = ln.split(":")[0]
                    if k in peak:
                        peak[k] = max(peak[k], int(ln.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(period)
    return {"rc": p.returncode, **{k + "_kb": v for k, v in peak.items()}}


def fmt_s(s):
    if s is None:
        return "-"
    if s >= 10:
        return "%.1f s" % s
    if s >= 1:
        return "%.2f s" % s
    if s >= 0.01:
        return "%.0f ms" % (s * 1e3)
    return "%.1f ms" % (s * 1e3)


def fmt_b(b):
    b = float(b)
    for u in ("B", "KiB", "MiB", "GiB"):
        if abs(b) < 1024 or u == "GiB":
            return ("%.0f %s" if u == "B" else "%.1f %s") % (b, u)
        b /= 1024


def tool_version(cmd):
    try:
        r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except Exception:
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    mem = meminfo()["MemTotal"]
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_bytes": mem, "kernel": platform.release(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())}


def normalise_report(path):
    """The report minus what legitimately differs between two runs of the same scan."""
    r = json.load(open(path))
    for k in ("started", "finished", "argv"):
        r.get("run", {}).pop(k, None)
    for k in ("seconds", "bytes_read"):
        r.get("summary", {}).pop(k, None)
    return r


def tree_stats(dirs):
    n = b = 0
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                n += 1
                b += os.lstat(os.path.join(root, f)).st_size
    return n, b


def private_null(work):
    """/dev/null can be replaced by a regular file (any root program that renames a
    temp file over its output path does it); then every '> /dev/null' writes to RAM
    and the timings are wrong. Commands here write to a null device of their own."""
    global NULL
    p = os.path.join(work, "null")
    try:
        os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        NULL = p
    except OSError:
        NULL = "/dev/null"
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        log("WARNING: /dev/null is NOT a device (something replaced it with a regular file); "
            "this run uses %s" % NULL)
    return NULL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unmark", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--timed", required=True, help="the stopwatch, built from bench/timed.c")
    a = ap.parse_args()
    a.unmark = os.path.abspath(a.unmark)
    a.timed = os.path.abspath(a.timed)
    a.runs = int(os.environ.get("BENCH_RUNS", "3" if a.quick else "5"))
    a.slow_runs = int(os.environ.get("BENCH_SLOW_RUNS", "3"))
    a.film_runs = int(os.environ.get("BENCH_FILM_RUNS", "3"))
    # Commands of a few ms, where one slow start moves a median of three by half.
    a.short_runs = max(a.film_runs, int(os.environ.get("BENCH_SHORT_RUNS", "9")))
    a.work = os.path.join(a.corpus, "work")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    os.makedirs(a.out, exist_ok=True)
    private_null(a.work)
    B = Bench(a)
    U = Q(a.unmark)
    C = a.corpus
    S = os.path.join(C, "small")
    W = a.work
    cold_ok = can_drop()
    t_start = time.time()

    env = machine()
    peers = {t: shutil.which(t) for t in ("exiftool", "mat2", "ffmpeg", "ffprobe")}
    missing = [t for t, p in peers.items() if not p]
    env["versions"] = {
        "unmark": tool_version(U + " version"),
        "exiftool": tool_version("exiftool -ver") if peers["exiftool"] else None,
        "mat2": tool_version("mat2 --version") if peers["mat2"] else None,
        "ffmpeg": tool_version("ffmpeg -version") if peers["ffmpeg"] else None,
    }
    git = subprocess.run(["git", "-C", os.path.dirname(os.path.dirname(a.unmark)), "describe", "--always",
                          "--dirty"], capture_output=True, text=True)
    env["unmark_commit"] = git.stdout.strip() or "?"
    env["formats"] = subprocess.run([a.unmark, "formats"], capture_output=True, text=True).stdout
    env["quick"] = a.quick
    env["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    env["cold_cache"] = cold_ok
    log("machine: %d cores, %s, %s RAM, Linux %s" % (env["nproc"], env["cpu"], fmt_b(env["mem_bytes"]),
                                                     env["kernel"]))
    log("unmark: %s (%s); peers: %s" % (env["versions"]["unmark"], env["unmark_commit"],
        ", ".join("%s %s" % (t, "found" if p else "NOT FOUND") for t, p in peers.items())))
    if missing:
        log("NOT MEASURED (not installed): " + ", ".join(missing))
    if not cold_ok:
        log("cold-cache runs skipped: /proc/sys/vm/drop_caches is not writable (run as root)")

    results = {"env": env, "missing_peers": missing, "records": B.records, "targets": [], "checks": {}}
    targets = results["targets"]

    def target(name, ok, detail, valid=True):
        t = {"target": name, "pass": bool(ok) if valid else None, "detail": detail}
        targets.append(t)
        log("  %s  %s: %s" % ("PASS" if valid and ok else ("FAIL" if valid else "N/A "), name, detail))

    # ---------------------------------------------------------------- 1. small-file scan
    nfiles, nbytes = tree_stats([S])
    sub = sorted(os.path.join(S, "DCIM", d) for d in os.listdir(os.path.join(S, "DCIM")))
    sub = sub[:2] if len(sub) > 2 else sub
    sub_n, sub_b = tree_stats(sub)
    peer_dirs, peer_scale = ([S], 1.0)
    if a.quick:
        peer_dirs, peer_scale = (sub, nfiles / max(1, sub_n))
    PD = " ".join(Q(d) for d in peer_dirs)
    log("\n[1/6] scan of %d small files (%s), warm cache%s" % (
        nfiles, fmt_b(nbytes), "; BENCH_QUICK: peers on %d files, scaled x%.0f" % (sub_n, peer_scale)
        if a.quick else ""))
    def scan_cmd(path, opts=""):
        """unmark scan of path, its report streamed (--json to a file would rename over it)."""
        return "%s scan -q %s--json - %s > /dev/null" % (U, opts + " " if opts else "", Q(path))
    settle()
    # What a second core gives this machine at all: the same CPU-bound job once, and
    # twice at once (a virtual machine's two cores may share one physical core).
    sha_one = "find %s -type f -print0 | xargs -0 sha256sum > /dev/null" % " ".join(Q(d) for d in sub)
    um_scan, um_nohash, um_j1, um_j2, um_j1n, um_j2n, cat, tail, cpu1, cpu2 = B.run_interleaved("scan", [
        ("unmark scan (hash, -j %d)" % env["nproc"], scan_cmd(S)),
        ("unmark scan --no-hash", scan_cmd(S, "--no-hash")),
        ("unmark scan -j 1", scan_cmd(S, "-j 1")),
        ("unmark scan -j 2", scan_cmd(S, "-j 2")),
        ("unmark scan --no-hash -j 1", scan_cmd(S, "--no-hash -j 1")),
        ("unmark scan --no-hash -j 2", scan_cmd(S, "--no-hash -j 2")),
        ("bound: cat every file", "find %s -type f -print0 | xargs -0 cat > /dev/null" % Q(S)),
        ("bound: tail -c 31 of every file", "find %s -type f -print0 | xargs -0 tail -q -c 31 > /dev/null" % Q(S)),
        ("machine: sha256sum of %d files, one job" % sub_n, sha_one),
        ("machine: the same, two jobs at once", "(%s) & (%s); wait" % (sha_one, sha_one))])
    ex = mat2 = ffp = None
    if peers["exiftool"]:
        ex = B.run("scan", "exiftool -r -j -q", "exiftool -r -j -q %s > /dev/null" % PD,
                   runs=a.runs, scale=peer_scale)
    if peers["mat2"]:
        mat2 = B.run("scan", "mat2 --show (xargs)",
                     "find %s -type f -print0 | xargs -0 mat2 --show > /dev/null 2>&1" % PD,
                     runs=a.slow_runs, warmup=0, scale=peer_scale, ok_rc=(0, 1, 123))
    if peers["ffprobe"]:
        ffp = B.run("scan", "ffprobe per file (xargs -n1)",
                    "find %s -type f -print0 | xargs -0 -n1 ffprobe -v quiet -show_format -show_streams "
                    "> /dev/null" % PD, runs=a.slow_runs, warmup=0, scale=peer_scale, ok_rc=(0, 123),
                    note="exit 123: docx/pdf are not media")

    # ---------------------------------------------------------------- 2. cold cache
    log("\n[2/6] scan of the small files, cold cache (page cache dropped before each run)")
    cold = {}
    if cold_ok:
        cold["unmark"] = B.run("scan-cold", "unmark scan (cold)", scan_cmd(S), warmup=0, runs=3, cold=True)
        cold["nohash"] = B.run("scan-cold", "unmark scan --no-hash (cold)",
                               scan_cmd(S, "--no-hash"), warmup=0, runs=3, cold=True)
        cold["cat"] = B.run("scan-cold", "bound: cat (cold)", "find %s -type f -print0 | xargs -0 cat > /dev/null"
                            % Q(S), warmup=0, runs=3, cold=True)
        cold["tail"] = B.run("scan-cold", "bound: tail -c 31 (cold)",
                             "find %s -type f -print0 | xargs -0 tail -q -c 31 > /dev/null" % Q(S),
                             warmup=0, runs=3, cold=True)
        if peers["exiftool"]:
            cold["exiftool"] = B.run("scan-cold", "exiftool -r -j -q (cold)", "exiftool -r -j -q %s > /dev/null" % PD,
                                     warmup=0, runs=3 if not a.quick else 3, cold=True, scale=peer_scale)
        base = B.run("scan-cold", "unmark version (program load, cold)", U + " version > /dev/null",
                     warmup=0, runs=3, cold=True)
        cold["load"] = base
        log("  (mat2 and ffprobe are CPU bound, warm = cold within a few %; not rerun cold)")
    else:
        log("  skipped: cannot drop the page cache")

    # ---------------------------------------------------------------- 3. -j 1 vs -j 2, same report
    log("\n[3/6] -j 1 and -j 2 give the same report; unmark's findings against the manifest")
    r1, r2 = os.path.join(W, "j1.json"), os.path.join(W, "j2.json")
    B.sh(U + " scan -q -j 1 --json %s %s" % (Q(r1), Q(S)))
    B.sh(U + " scan -q -j 2 --json %s %s" % (Q(r2), Q(S)))
    n1, n2 = normalise_report(r1), normalise_report(r2)
    same = n1 == n2
    diffs = []
    if not same:
        f1, f2 = n1.get("files", []), n2.get("files", [])
        for x, y in zip(f1, f2):
            if x != y:
                diffs.append(x.get("path"))
        if len(f1) != len(f2):
            diffs.append("file count %d vs %d" % (len(f1), len(f2)))
    results["checks"]["j1_j2_identical"] = {"identical": same, "differing": diffs[:20],
                                            "ignored": ["run.started", "run.finished", "run.argv",
                                                        "summary.seconds", "summary.bytes_read"]}
    log("  reports -j 1 / -j 2: %s" % ("identical (ignoring run.started/finished/argv, summary.seconds/bytes_read)"
                                       if same else "DIFFERENT: %s" % diffs[:5]))
    # findings vs what the generator put in
    man = {}
    with open(S.rstrip("/") + ".tsv") as f:
        next(f)
        for ln in f:
            p, base_, marks = ln.rstrip("\n").split("\t")
            man[p] = (base_, [] if marks == "-" else [m[2:] for m in marks.split(",")])
    per_type = {}
    failed = []
    for fr in n1.get("files", []):
        rel = os.path.relpath(fr["path"], S)
        if rel not in man:
            continue
        base_, want = man[rel]
        got = []
        for fd in fr.get("findings", []):
            if fd.get("kind") == "redstar_watermark":
                got += fd.get("ids", [])
        t = per_type.setdefault(base_, {"files": 0, "marks_ok": 0, "marks_wrong": 0, "failed": 0,
                                        "findings": 0, "format": fr.get("format")})
        t["files"] += 1
        t["findings"] += len(fr.get("findings", []))
        if got == want:
            t["marks_ok"] += 1
        else:
            t["marks_wrong"] += 1
        if fr.get("status") == "failed":
            t["failed"] += 1
            failed.append("%s: %s" % (rel, fr.get("error", "")))
    results["checks"]["manifest"] = {"per_type": per_type, "failed": failed[:50], "n_failed": len(failed)}
    for b_, t in sorted(per_type.items()):
        log("  %-11s format=%-8s files=%4d  marks right=%4d wrong=%d  failed=%d  findings=%d" % (
            b_, t["format"], t["files"], t["marks_ok"], t["marks_wrong"], t["failed"], t["findings"]))

    # the whole small corpus cleaned into a new tree: every file scrubbed and proven, and
    # a scan of the copy finds nothing identifying (exit 0)
    SO = os.path.join(W, "small-out")
    srep = os.path.join(W, "scrub-small.json")
    so_rec = B.run("scan", "unmark scrub --out of the 2000 small files",
                   (U + " scrub -q --out %s --json %s %s") % (Q(SO), Q(srep), Q(S)),
                   runs=1, warmup=0, prepare="rm -rf %s; sync" % Q(SO), ok_rc=(0,))
    with open(srep) as f:
        sfiles = json.load(f)["files"]
    bad = ["%s: %s %s" % (os.path.relpath(x["path"], S), x.get("status"), x.get("error", ""))
           for x in sfiles if x.get("status") != "scrubbed"]
    rrep = os.path.join(W, "rescan-small.json")
    B.sh(U + " scan -q --json %s %s" % (Q(rrep), Q(SO)))
    with open(rrep) as f:
        left = [x for fr in json.load(f)["files"] for x in fr.get("findings", [])]
    removable = [x for x in left if x.get("removable")]
    kept = sorted(set("%s (%s)" % (x.get("where"), x.get("note", "")) for x in left if not x.get("removable")))
    results["checks"]["scrub_small"] = {"files": len(sfiles), "not_scrubbed": bad[:50],
                                        "left_removable": len(removable), "kept_on_purpose": kept[:20]}
    target("scrub --out of the small corpus: every file scrubbed, nothing removable left in the copy",
           not bad and not removable,
           "%d files in %s, %d not scrubbed%s; the copy re-scanned: %d removable findings, %d kept on "
           "purpose: %s" % (len(sfiles), fmt_s(so_rec["median_s"]) if so_rec else "?", len(bad),
                            " (e.g. %s)" % bad[:2] if bad else "", len(removable), len(left) - len(removable),
                            "; ".join(kept[:3]) or "none"))
    B.sh("rm -rf %s" % Q(SO))

    # ---------------------------------------------------------------- 4. films
    F = os.path.join(C, "films")
    films = [e for e in ("mp4", "mkv", "avi") if os.path.exists(os.path.join(F, "film." + e))]
    film_res = {}
    log("\n[4/6] 1 GiB films: scan and clean%s" % ("" if films else ": SKIPPED (no films in the corpus)"))
    for e in films:
        settle()   # the previous film's copies are still being written out
        IN = os.path.join(F, "film." + e)
        size = os.path.getsize(IN)
        idx = json.loads(subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "corpus.py"),
                                         "index", IN], capture_output=True, text=True).stdout)
        log(" film.%s: %s, index %s (%s)" % (e, fmt_b(size), fmt_b(idx["index_bytes"]), idx["what"]))
        g = "film-" + e
        fr = film_res[e] = {"size": size, "index": idx}
        fr["scan_nohash"] = B.run(g, "unmark scan --no-hash (%s)" % e,
                                  scan_cmd(IN, "--no-hash"), runs=a.runs)
        fr["scan_hash"] = B.run(g, "unmark scan, hashing (%s)" % e, scan_cmd(IN), runs=a.film_runs)
        COPY = os.path.join(W, "copy." + e)
        OUTD = os.path.join(W, "out")
        OUTF = os.path.join(W, "out." + e)
        cpprep = "cp --reflink=auto %s %s; sync" % (Q(IN), Q(COPY))
        fr["inplace"] = B.run(g, "unmark scrub in place (%s)" % e, (U + " scrub -q --json - %s > /dev/null") % Q(COPY),
                              prepare=cpprep, runs=a.film_runs, ok_rc=(0,))
        fr["inplace_nohash"] = B.run(g, "unmark scrub --no-hash in place (%s)" % e,
                                     (U + " scrub -q --no-hash --json - %s > /dev/null") % Q(COPY),
                                     prepare=cpprep, runs=a.short_runs, ok_rc=(0,))
        fr["out"] = B.run(g, "unmark scrub --out DIR (%s)" % e,
                          (U + " scrub -q --out %s --json - %s > /dev/null") % (Q(OUTD), Q(IN)),
                          prepare="rm -rf %s; sync" % Q(OUTD), runs=a.film_runs, ok_rc=(0,))
        fr["out_nohash"] = B.run(g, "unmark scrub --no-hash --out DIR (%s)" % e,
                                 (U + " scrub -q --no-hash --out %s --json - %s > /dev/null") % (Q(OUTD), Q(IN)),
                                 prepare="rm -rf %s; sync" % Q(OUTD), runs=a.film_runs, ok_rc=(0,))
        # As cp leaves it: the copy is not flushed before it takes its name (--no-sync).
        # The two run in turn (nine of each): the kernel's copy of a GiB moves from
        # 0.35 s to 0.9 s between two runs of the same cp.
        fr["out_nosync"], fr["cp"] = B.run_interleaved(g, [
            ("unmark scrub --no-hash --no-sync --out DIR (%s)" % e,
             (U + " scrub -q --no-hash --no-sync --out %s --json - %s > /dev/null") % (Q(OUTD), Q(IN))),
            ("bound: cp IN OUT (%s)" % e, "cp %s %s" % (Q(IN), Q(os.path.join(OUTD, "film." + e))))],
            prepare="rm -rf %s; mkdir %s; sync" % (Q(OUTD), Q(OUTD)), runs=a.short_runs, ok_rc=(0,))
        if peers["exiftool"]:
            fr["exiftool"] = B.run(g, "exiftool -m -all= -o OUT (%s)" % e,
                                   "exiftool -q -m -all= -o %s %s" % (Q(OUTF), Q(IN)),
                                   prepare="rm -f %s; sync" % Q(OUTF), runs=a.film_runs, ok_rc=(0,))
        if peers["mat2"]:
            md = os.path.join(W, "m")
            fr["mat2"] = B.run(g, "mat2 on a copy (%s)" % e, "mat2 %s" % Q(os.path.join(md, "film." + e)),
                               prepare="rm -rf %s; mkdir -p %s; cp %s %s/; sync" % (Q(md), Q(md), Q(IN), Q(md)),
                               runs=a.film_runs, ok_rc=(0,))
        if peers["ffmpeg"]:
            fr["ffmpeg"] = B.run(g, "ffmpeg remux -map_metadata -1 (%s)" % e,
                                 "ffmpeg -nostdin -v error -y -i %s -map 0 -map_metadata -1 -c copy -fflags +bitexact %s"
                                 % (Q(IN), Q(OUTF)), prepare="rm -f %s; sync" % Q(OUTF), runs=a.film_runs, ok_rc=(0,))
        fr["cp_sync"] = B.run(g, "bound: cp IN OUT + fsync OUT (%s)" % e, "cp %s %s && sync %s" % (Q(IN), Q(OUTF), Q(OUTF)),
                              prepare="rm -f %s; sync" % Q(OUTF), runs=a.film_runs, ok_rc=(0,))
        fr["truncate"] = B.run(g, "bound: truncate -s -31 COPY (%s)" % e, "truncate -s -31 %s" % Q(COPY),
                               prepare=cpprep, runs=a.short_runs, ok_rc=(0,))
        # What every command above pays to the harness (the stopwatch's spawn of a program
        # and the program's loading) before it does anything.
        fr["harness"] = B.run(g, "bound: the harness alone, /bin/true (%s)" % e, "/bin/true",
                              runs=a.short_runs, ok_rc=(0,))
        B.sh("rm -rf %s %s %s %s" % (Q(COPY), Q(OUTD), Q(OUTF), Q(os.path.join(W, "m"))))
        # what a scrub left: one report on a fresh copy
        B.sh(cpprep)
        rep = os.path.join(W, "scrub-%s.json" % e)
        B.sh(U + " scrub -q --json %s %s" % (Q(rep), Q(COPY)))
        try:
            fr["scrub_report"] = json.load(open(rep))["files"][0]
        except Exception as ex_:
            fr["scrub_report"] = {"error": str(ex_)}
        B.sh("rm -f %s" % Q(COPY))
        st = fr["scrub_report"]
        log("  scrub in place: status %s, path %s, actions %s%s" % (st.get("status"), st.get("scrub_path"),
            [x.get("op") for x in st.get("actions", [])], (", error: " + st["error"]) if st.get("error") else ""))

    # ---------------------------------------------------------------- 5. bytes read, memory
    log("\n[5/6] bytes read from disk (one run each, after evicting the data - not the programs - "
        "from the page cache) and peak memory")
    io = results["io"] = []

    def io_run(label, cmd, paths, prepare=None):
        if prepare:
            B.sh(prepare)
        B.once(cmd)                 # programs and their libraries into the cache
        evict(paths)                # the data out of it
        r = B.once(cmd)
        r.update({"label": label, "cmd": cmd, "evicted": paths})
        io.append(r)
        log("  %-44s %9s  read %10s  rchar %10s  rss %s  rc %d" % (label, fmt_s(r["wall_s"]), fmt_b(r["read_bytes"]),
            fmt_b(r["rchar"]), fmt_b(r["maxrss_kb"] * 1024), r["rc"]))
        return r

    io_run("scan small: unmark", scan_cmd(S), [S])
    io_run("scan small: unmark --no-hash", scan_cmd(S, "--no-hash"), [S])
    io_run("scan small: cat", "find %s -type f -print0 | xargs -0 cat > /dev/null" % Q(S), [S])
    io_run("scan small: tail -c 31", "find %s -type f -print0 | xargs -0 tail -q -c 31 > /dev/null" % Q(S), [S])
    if peers["exiftool"]:
        io_run("scan %d files: exiftool -r -j" % (sub_n if a.quick else nfiles), "exiftool -r -j -q %s > /dev/null" % PD,
               peer_dirs)
    if peers["mat2"]:
        io_run("scan %d files: mat2 --show" % sub_n, "find %s -type f -print0 | xargs -0 mat2 --show > /dev/null 2>&1"
               % " ".join(Q(d) for d in sub), sub)
    if peers["ffprobe"]:
        io_run("scan %d files: ffprobe" % sub_n, "find %s -type f -print0 | xargs -0 -n1 ffprobe -v quiet -show_format "
               "-show_streams > /dev/null" % " ".join(Q(d) for d in sub), sub)
    film_io = results["film_scan_io"] = {}
    for name in ("film.mp4", "film.mkv", "film.avi", "film4g.mp4"):
        p = os.path.join(F, name)
        if not os.path.exists(p):
            continue
        idx = json.loads(subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "corpus.py"),
                                         "index", p], capture_output=True, text=True).stdout)
        r = io_run("scan %s: unmark --no-hash" % name, scan_cmd(p, "--no-hash"), [p])
        film_io[name] = {"size": os.path.getsize(p), "index_bytes": idx["index_bytes"],
                         "read_bytes": r["read_bytes"], "maxrss_kb": r["maxrss_kb"], "rc": r["rc"]}
    mem = results["memory"] = []

    def mem_run(label, argv, prepare=None):
        if prepare:
            B.sh(prepare)
        r = peak_mem(argv)
        r["label"] = label
        mem.append(r)
        log("  %-44s VmHWM %9s  peak RssAnon %9s  peak RssFile %9s  rc %d" % (
            label, fmt_b(r["VmHWM_kb"] * 1024), fmt_b(r["RssAnon_kb"] * 1024), fmt_b(r["RssFile_kb"] * 1024),
            r["rc"]))
        return r

    log("  memory, sampled every 5 ms from /proc/PID/status (RssAnon = allocated; RssFile = mapped file pages)")
    mem_run("scan %d small files" % nfiles, [a.unmark, "scan", "-q", "--json", "-", S])
    mem_run("scan %d small files --no-hash" % nfiles, [a.unmark, "scan", "-q", "--no-hash", "--json", "-", S])
    T = os.path.join(C, "tree")
    if os.path.isdir(T):
        mem_run("scan tree (100 000 files) --no-hash", [a.unmark, "scan", "-q", "--no-hash", "--json", "-", T])
    if films:
        IN = os.path.join(F, "film.mp4")
        COPY = os.path.join(W, "copy.mp4")
        mem_run("scan film.mp4", [a.unmark, "scan", "-q", "--json", "-", IN])
        mem_run("scan film.mp4 --no-hash", [a.unmark, "scan", "-q", "--no-hash", "--json", "-", IN])
        cpprep = "cp %s %s; sync" % (Q(IN), Q(COPY))
        mem_run("scrub film.mp4 in place", [a.unmark, "scrub", "-q", "--json", "-", COPY], prepare=cpprep)
        mem_run("scrub film.mp4 in place --no-hash", [a.unmark, "scrub", "-q", "--no-hash", "--json", "-", COPY],
                prepare=cpprep)
        B.sh("rm -f %s" % Q(COPY))

    tree_rec = None
    if os.path.isdir(T):
        tn, tb = tree_stats([T])
        log("  tree: %d files, %s" % (tn, fmt_b(tb)))
        # ~0.5 ms a file: one run each (a memory test; the timing is a by-product)
        tree_rec = B.run("tree", "unmark scan --no-hash, %d files" % tn,
                         scan_cmd(T, "--no-hash"), runs=1)
        B.run("tree", "unmark scan (hash), %d files" % tn, scan_cmd(T), runs=1, warmup=0)
        B.run("tree", "bound: cat every file, %d files" % tn,
              "find %s -type f -print0 | xargs -0 cat > /dev/null" % Q(T), runs=1, warmup=0)
        results["tree"] = {"files": tn, "bytes": tb}
    else:
        log("  no 100 000-file tree in the corpus (--small): memory target not measured")

    # ---------------------------------------------------------------- 6. targets
    log("\n[6/6] targets")
    MiB = 1 << 20

    def med(r):
        return r["median_scaled_s"] if r else None

    if um_scan and ex:
        ratio = med(ex) / med(um_scan)
        target("scan of %d small files >= 50x faster than exiftool -r -j" % nfiles, ratio >= 50,
               "exiftool %s / unmark %s = %.1fx%s" % (fmt_s(med(ex)), fmt_s(med(um_scan)), ratio,
                                                     " (exiftool scaled from %d files)" % sub_n if a.quick else ""))
    if um_scan and cat:
        ratio = med(um_scan) / med(cat)
        target("scan of %d small files within 3x of cat-ing every byte (warm)" % nfiles, ratio <= 3,
               "unmark %s / cat %s = %.2fx (--no-hash: %.2fx)" % (fmt_s(med(um_scan)), fmt_s(med(cat)), ratio,
                                                                med(um_nohash) / med(cat)))
        if cold.get("unmark") and cold.get("cat"):
            ratio = med(cold["unmark"]) / med(cold["cat"])
            target("scan of %d small files within 3x of cat-ing every byte (cold)" % nfiles, ratio <= 3,
                   "unmark %s / cat %s = %.2fx" % (fmt_s(med(cold["unmark"])), fmt_s(med(cold["cat"])), ratio))
    if film_io:
        for name, d in film_io.items():
            lim = 2 * MiB + d["index_bytes"]
            target("scan %s --no-hash reads <= 2 MiB + index" % name,
                   d["read_bytes"] <= lim and d["rc"] in (0, 1),
                   "%s read from disk, limit %s + %s index; file %s" % (
                       fmt_b(d["read_bytes"]), fmt_b(2 * MiB), fmt_b(d["index_bytes"]), fmt_b(d["size"])))
    for e, fr in film_res.items():
        for key, what in (("inplace", "in-place scrub"), ("inplace_nohash", "in-place scrub --no-hash")):
            if fr.get("ffmpeg") and fr.get(key):
                valid = fr[key]["ok"] and fr["ffmpeg"]["ok"]
                ratio = med(fr[key]) / med(fr["ffmpeg"])
                h = med(fr["harness"]) if fr.get("harness") else 0
                net = (med(fr[key]) - h) / max(1e-9, med(fr["ffmpeg"]) - h)
                target("%s of film.%s < 1%% of the ffmpeg remux" % (what, e), ratio < 0.01,
                       "unmark %s / ffmpeg %s = %.2f%% (net of the harness's %s: %.2f%%)%s" % (
                           fmt_s(med(fr[key])), fmt_s(med(fr["ffmpeg"])), 100 * ratio, fmt_s(h), 100 * net,
                           "" if valid else
                                                             " (a command FAILED, exit %s / %s)" % (fr[key]["rcs"], fr["ffmpeg"]["rcs"])),
                       valid=valid)
        if fr.get("out") and fr.get("cp"):
            valid = fr["out"]["ok"]
            ratio = med(fr["cp"]) / med(fr["out"])
            nh = fr.get("out_nohash")
            target("scrub --out of film.%s >= 0.8 of cp throughput" % e, ratio >= 0.8,
                   "cp %s / unmark %s = %.2f (cp+fsync: %.2f; --no-hash: %.2f, against cp+fsync %.2f)%s" % (
                       fmt_s(med(fr["cp"])), fmt_s(med(fr["out"])), ratio, med(fr["cp_sync"]) / med(fr["out"]),
                       med(fr["cp"]) / med(nh) if nh else 0, med(fr["cp_sync"]) / med(nh) if nh else 0,
                       "" if valid else " (unmark FAILED, exit %s: see stderr.log)" % fr["out"]["rcs"]), valid=valid)
        ns = fr.get("out_nosync")
        if ns and fr.get("cp"):
            ratio = med(fr["cp"]) / med(ns)
            target("scrub --no-hash --no-sync --out of film.%s >= 0.8 of cp throughput (neither flushes)" % e,
                   ratio >= 0.8, "cp %s / unmark %s = %.2f%s" % (
                       fmt_s(med(fr["cp"])), fmt_s(med(ns)), ratio,
                       "" if ns["ok"] else " (unmark FAILED, exit %s: see stderr.log)" % ns["rcs"]), valid=ns["ok"])
    anon = {m["label"]: m["RssAnon_kb"] * 1024 for m in mem}
    if tree_rec:
        rss = tree_rec["maxrss_kb"] * 1024
        small_rss = um_nohash["maxrss_kb"] * 1024 if um_nohash else 0
        growth = (rss - small_rss) / max(1, results["tree"]["files"] - nfiles)
        target("peak RSS < 64 MiB scanning %d files (--no-hash)" % results["tree"]["files"], rss < 64 * MiB,
               "%s (%d files: %s; %.0f B more per file; sampled anon peak %s)" % (
                   fmt_b(rss), nfiles, fmt_b(small_rss), growth,
                   fmt_b(anon.get("scan tree (100 000 files) --no-hash", 0))))
    for label, key, hashing in (("scan", "scan_hash", True), ("scan --no-hash", "scan_nohash", False),
                                ("scrub in place", "inplace", True), ("scrub --no-hash in place", "inplace_nohash", False)):
        rs = [(e, fr[key]) for e, fr in film_res.items() if fr.get(key)]
        if not rs:
            continue
        e, worst = max(rs, key=lambda x: x[1]["maxrss_kb"])
        rss = worst["maxrss_kb"] * 1024
        an = anon.get({"scan": "scan film.mp4", "scan --no-hash": "scan film.mp4 --no-hash",
                       "scrub in place": "scrub film.mp4 in place",
                       "scrub --no-hash in place": "scrub film.mp4 in place --no-hash"}[label])
        target("peak RSS < 64 MiB, %s of a 1 GiB film" % label, rss < 64 * MiB,
               "max RSS %s (film.%s)%s" % (fmt_b(rss), e, "; sampled anon peak %s: the rest are mapped file "
                                            "pages" % fmt_b(an) if an is not None else ""))
    if um_j1 and um_j2:
        ratio = med(um_j1) / med(um_j2)
        # -j 1 is one scanning worker; the walker and the report writer are threads of
        # their own, so -j 1 already keeps more than one core busy, and on 2 cores the
        # most -j 2 can gain is 2 / (the cores -j 1 uses).
        cores = statistics.median([(r["user_s"] + r["sys_s"]) / r["wall_s"] for r in um_j1["runs"]])
        second_core = ("; two CPU-bound jobs at once here take %.2fx the time of one, so a second core "
                       "gives this machine %.2fx" % (med(cpu2) / med(cpu1), 2 * med(cpu1) / med(cpu2))
                       if cpu1 and cpu2 else "")
        target("-j 2 >= 1.7x faster than -j 1 (cached corpus)", ratio >= 1.7,
               "-j1 %s / -j2 %s = %.2fx (--no-hash: %.2fx); -j 1 keeps %.2f cores busy, so 2 cores "
               "allow at most %.2fx%s" % (fmt_s(med(um_j1)), fmt_s(med(um_j2)), ratio,
                                         med(um_j1n) / med(um_j2n), cores, 2 / max(cores, 1e-9), second_core))
    target("-j 1 and -j 2 reports identical (apart from run times)", same,
           "identical" if same else "differ in %d files, e.g. %s" % (len(diffs), diffs[:3]))

    results["elapsed_s"] = time.time() - t_start
    env["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    md = render_md(results, nfiles, nbytes, sub_n, peer_scale, a)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    log("\n" + md)
    log("wrote %s and %s (%.0f s)" % (os.path.join(a.out, "results.json"), os.path.join(a.out, "results.md"),
                                       results["elapsed_s"]))


def render_md(res, nfiles, nbytes, sub_n, scale, a):
    env = res["env"]
    L = []
    L.append("Measured %s on %d cores (%s), %s RAM, Linux %s; %s at %s%s." % (
        env["date_utc"], env["nproc"], env["cpu"], fmt_b(env["mem_bytes"]), env["kernel"],
        env["versions"]["unmark"], env["unmark_commit"], "; BENCH_QUICK" if a.quick else ""))
    L.append("Load average (1/5/15 min) at the start: %s; at the end: %s (%d cores; a load above the core "
             "count means other work shared the machine and the timings are noisy)." % (
                 env.get("loadavg_start"), env.get("loadavg_end"), env["nproc"]))
    L.append("Peers: %s." % "; ".join("%s" % v for k, v in env["versions"].items() if v and k != "unmark"))
    if res["missing_peers"]:
        L.append("NOT MEASURED (not installed): %s." % ", ".join(res["missing_peers"]))
    L.append("")
    groups = [("scan", "Scan of %d small files (%s), warm page cache" % (nfiles, fmt_b(nbytes)), "unmark scan (hash"),
              ("scan-cold", "The same, cold cache (page cache dropped before every run)", "unmark scan (cold)"),
              ("tree", "A tree of tiny files (memory)", None)]
    for e in ("mp4", "mkv", "avi"):
        groups.append(("film-" + e, "One ~1 GiB %s film with metadata and a one-mark trailer "
                       "(outputs to the page cache; unmark fsyncs, the peers do not)" % e.upper(),
                       "unmark scrub in place"))
    for g, title, ref in groups:
        recs = [r for r in res["records"] if r["group"] == g]
        if not recs:
            continue
        refr = next((r for r in recs if ref and r["name"].startswith(ref)), None)
        L.append("### " + title)
        L.append("")
        L.append("| command | median | min .. max | runs | exit | max RSS | x unmark |")
        L.append("|---|---|---|---|---|---|---|")
        for r in recs:
            m = r["median_scaled_s"]
            s = fmt_s(m) + (" (%s on %d files, x%.0f)" % (fmt_s(r["median_s"]), sub_n, r["scale"]) if r["scale"] != 1 else "")
            ratio = "%.1fx" % (m / refr["median_scaled_s"]) if refr and refr["median_scaled_s"] > 0 and r is not refr else ""
            L.append("| %s | %s | %s .. %s | %d | %s | %s | %s |" % (
                r["name"], s, fmt_s(r["min_s"]), fmt_s(r["max_s"]), r["n"], ",".join(map(str, r["rcs"])),
                fmt_b(r["maxrss_kb"] * 1024), ratio))
        L.append("")
    if res.get("io"):
        L.append("### Bytes read (one run each, after evicting the data, not the programs, from the page cache)")
        L.append("")
        L.append("| command | wall | read from disk | rchar (read calls) | max RSS | exit |")
        L.append("|---|---|---|---|---|---|")
        for r in res["io"]:
            L.append("| %s | %s | %s | %s | %s | %d |" % (r["label"], fmt_s(r["wall_s"]), fmt_b(r["read_bytes"]),
                                                       fmt_b(r["rchar"]), fmt_b(r["maxrss_kb"] * 1024), r["rc"]))
        L.append("")
    if res.get("memory"):
        L.append("### Memory (one run each, /proc/PID/status sampled every 5 ms)")
        L.append("")
        L.append("RssAnon is what unmark allocates; RssFile is pages of mapped files, which count in max RSS "
                 "but are page cache the kernel may drop at any time.")
        L.append("")
        L.append("| unmark command | VmHWM (peak RSS) | peak RssAnon | peak RssFile | exit |")
        L.append("|---|---|---|---|---|")
        for m in res["memory"]:
            L.append("| %s | %s | %s | %s | %d |" % (m["label"], fmt_b(m["VmHWM_kb"] * 1024), fmt_b(m["RssAnon_kb"] * 1024),
                                                   fmt_b(m["RssFile_kb"] * 1024), m["rc"]))
        L.append("")
    L.append("### Targets")
    L.append("")
    for t in res["targets"]:
        L.append("- **%s** %s: %s" % ({True: "PASS", False: "FAIL", None: "N/A"}[t["pass"]], t["target"], t["detail"]))
    L.append("")
    man = res["checks"].get("manifest", {})
    if man:
        L.append("### What unmark found in the small files (against the generator's manifest)")
        L.append("")
        L.append("| base file | unmark format | files | marks right | marks wrong | failed | findings |")
        L.append("|---|---|---|---|---|---|---|")
        for b_, t in sorted(man["per_type"].items()):
            L.append("| %s | %s | %d | %d | %d | %d | %d |" % (b_, t["format"], t["files"], t["marks_ok"],
                                                             t["marks_wrong"], t["failed"], t["findings"]))
        if man.get("failed"):
            L.append("")
            L.append("Failed: " + "; ".join(man["failed"][:10]))
        L.append("")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
