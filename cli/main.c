/* unmark: a thin command line over libunmark. Subcommands in one table, options in
 * one X-macro that feeds both getopt_long and --help. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/error.h"
#include "../formats/format.h"
#include "../scanner/merge.h"
#include "../scanner/report.h"
#include "../scanner/run.h"
#include "../scanner/version.h"
#include "../scrubber/drive_clean.h"
#include "../scrubber/drive_job.h"
#include "../scrubber/scrub.h"

/* X(long name, short, has_arg, id, commands it applies to, help) */
#define UM_OPTIONS(X)                                                                              \
    X("json", 0, 1, OPT_JSON, "scan,scrub", "FILE  write the JSON report to FILE (- for stdout)")  \
    X("ndjson", 0, 1, OPT_NDJSON, "scan,scrub", "FILE  write the report as NDJSON, one record a line") \
    X("quiet", 'q', 0, OPT_QUIET, "scan,scrub", "      no progress, no per-file lines, summary only on error") \
    X("jobs", 'j', 1, OPT_JOBS, "scan,scrub", "N     worker threads (default: number of cores)")     \
    X("no-hash", 0, 0, OPT_NO_HASH, "scan,scrub", "      do not compute SHA-256 of every file")         \
    X("redact", 0, 0, OPT_REDACT, "scan,scrub", "      replace found values with their length")       \
    X("max-filesize", 0, 1, OPT_MAX_FILESIZE, "scan,scrub", "SIZE  skip larger files (K, M, G suffixes)") \
    X("max-depth", 0, 1, OPT_MAX_DEPTH, "scan,scrub", "N     do not descend deeper (default 128)")    \
    X("max-findings", 0, 1, OPT_MAX_FINDINGS, "scan,scrub", "N     findings kept per file; a file with more fails (default 4096)") \
    X("max-embed", 0, 1, OPT_MAX_EMBED, "scan,scrub", "N     look into embedded media N levels deep (default 8)") \
    X("shard", 0, 1, OPT_SHARD, "scan,scrub", "K/N   only the K-th of N stable parts of the tree")    \
    X("out", 'o', 1, OPT_OUT, "scrub", "DIR   write cleaned copies of the tree under DIR")          \
    X("dry-run", 'n', 0, OPT_DRY_RUN, "scrub", "      show the plan, write nothing")                  \
    X("keep", 0, 1, OPT_KEEP, "scrub", "KIND  do not remove findings of KIND (repeatable)")         \
    X("strip", 0, 1, OPT_STRIP, "scrub", "KIND  remove findings of KIND (repeatable; all by default)") \
    X("copy", 0, 0, OPT_COPY, "scrub", "      never edit in place: always write a verified copy")   \
    X("no-sync", 0, 0, OPT_NO_SYNC, "scrub", "      with --out: do not wait for copies to reach the disk (as cp; see README)") \
    X("verify", 0, 1, OPT_VERIFY, "scrub", "fast|demux|full  how large films are proven (see README)") \
    /* drive hygiene (scanner/drive.c, scanner/volume.c) */                                     \
    X("drive", 0, 0, OPT_DRIVE, "scan,scrub", "      PATH is a whole drive: also check timestamp patterns (automatic for mount points)") \
    X("volume", 0, 1, OPT_VOLUME, "scan,scrub", "DEV   report (scrub: rewrite) the identity of a FAT/exFAT/NTFS device or image") \
    X("new-serial", 0, 1, OPT_NEW_SERIAL, "scrub", "S     with --volume: random (default), zero or hex digits") \
    X("label", 0, 1, OPT_LABEL, "scrub", "TEXT  with --volume: new volume label (\"\" removes it)") \
    X("times", 0, 1, OPT_TIMES, "scrub", "keep|fixed[=DATE]  set all file and folder times to one UTC date (2000-01-01)") \
    X("help", 'h', 0, OPT_HELP, "all", "      this help")

enum {
    OPT_FIRST_ = 256,
#define X(name, sh, arg, id, cmds, help) id,
    UM_OPTIONS(X)
#undef X
};

struct cli {
    const char *command;
    const char *json, *ndjson, *out;
    bool quiet, dry_run, copy, progress;
    int jobs;
    struct um_scan_options scan;
    struct um_walk_options walk;
    struct um_scrub_options scrub;
    struct um_report *report;
    int out_fd;
    uint64_t done_files, done_bytes, remaining_findings, identifying_files;
    struct timespec t0, last_draw;
    struct um_drive_job drive;   /* drive hygiene */
};

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage_for(FILE *f, const char *cmd)
{
    fprintf(f, "usage: unmark %s [OPTIONS] PATH...\n\noptions:\n", cmd);
#define X(name, sh, arg, id, cmds, help)                                          \
    if (strstr(cmds, cmd) || !strcmp(cmds, "all")) {                               \
        if (sh) fprintf(f, "  -%c, --%-14s %s\n", sh, name, help);                 \
        else fprintf(f, "      --%-14s %s\n", name, help);                         \
    }
    UM_OPTIONS(X)
#undef X
}

static void usage(FILE *f)
{
    fputs("unmark: find and remove device tracking tags from the files on a drive\n\n"
          "usage: unmark COMMAND [OPTIONS] PATH...\n\n"
          "commands:\n"
          "  scan     report what identifies the files (JSON report, summary on stderr)\n"
          "  scrub    remove it, atomically per file, verifying every result\n"
          "  merge    join NDJSON reports of --shard runs into one report\n"
          "  formats  list recognised formats and what can be removed\n"
          "  version  print the version\n"
          "  help     this help; `unmark COMMAND --help` for a command's options\n\n"
          "exit status: 0 nothing found (scan) or nothing left (scrub), 1 findings above\n"
          "info severity, 2 an error (a file could not be read, parsed or cleaned)\n",
          f);
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return -1;
    uint64_t mul = 1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mul = 1ull << 10; end++; break;
    case 'm': case 'M': mul = 1ull << 20; end++; break;
    case 'g': case 'G': mul = 1ull << 30; end++; break;
    case 't': case 'T': mul = 1ull << 40; end++; break;
    default: return -1;
    }
    if (*end || v > UINT64_MAX / mul) return -1;
    *out = v * mul;
    return 0;
}

/* A whole decimal number from lo to hi for option `name` (no sign, no trailing text);
 * says what it takes otherwise. */
static int parse_count(const char *name, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : -1;
    if (v < 0 || errno || *end || v < lo || v > hi) {
        fprintf(stderr, "unmark: --%s takes a number from %ld to %ld\n", name, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static void human_bytes(uint64_t b, char *buf, size_t n)
{
    const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void draw_progress(struct cli *c, const char *path, bool force)
{
    if (!c->progress) return;
    if (!force && since(&c->last_draw) < 0.1) return;
    clock_gettime(CLOCK_MONOTONIC, &c->last_draw);
    char bytes[32], rate[32];
    double secs = since(&c->t0);
    human_bytes(c->done_bytes, bytes, sizeof bytes);
    human_bytes(secs > 0 ? (uint64_t)((double)c->done_bytes / secs) : 0, rate, sizeof rate);
    bool exact;
    char *p = um_path_text(path ? path : "", &exact);
    size_t plen = p ? strlen(p) : 0;
    const char *tail = p ? (plen > 40 ? p + plen - 40 : p) : "";
    fprintf(stderr, "\r\033[K%llu files  %s  %s/s  %s%s", (unsigned long long)c->done_files, bytes,
            rate, plen > 40 ? "..." : "", tail);
    fflush(stderr);
    free(p);
}

static bool counts_as_left(const struct um_file_result *res)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->severity > UM_SEV_INFO) return true;
    }
    return false;
}

/* One line per file that needs attention, in the manner of clamscan. */
static void print_file_line(struct cli *c, const struct um_file_result *res)
{
    if (c->quiet && res->status != UM_ST_FAILED) return;
    if (res->status == UM_ST_CLEAN || (res->status == UM_ST_SKIPPED && c->quiet)) return;
    bool exact;
    char *p = um_path_text(res->path ? res->path : "", &exact);
    if (c->progress) fputs("\r\033[K", stderr);
    fprintf(stderr, "%s: %s", p ? p : "?", um_status_name(res->status));
    if (res->status == UM_ST_FAILED || res->status == UM_ST_SKIPPED) {
        fprintf(stderr, " (%s%s%s)", res->error ? um_strerror(res->error) : "",
                res->error && res->error_text ? ": " : "", res->error_text ? res->error_text : "");
    }
    const char *sep = " [";
    for (size_t i = 0; i < res->findings.len && i < 8; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        fprintf(stderr, "%s%s", sep, um_kind_name(f->kind));
        if (f->kind == UM_K_REDSTAR_WATERMARK && f->extra) {
            json_t *ids = json_object_get(f->extra, "ids");
            size_t k;
            json_t *v;
            fputs(" ", stderr);
            json_array_foreach(ids, k, v) fprintf(stderr, "%s%s", k ? ">" : "", json_string_value(v));
        }
        sep = ", ";
    }
    if (res->findings.len > 8) fprintf(stderr, ", +%zu more", res->findings.len - 8);
    fputs(res->findings.len ? "]\n" : "\n", stderr);
    free(p);
}

static int emit(void *opaque, const struct um_walk_item *it, const struct um_file_result *res)
{
    struct cli *c = opaque;
    um_drive_job_item(&c->drive, it);   /* drive hygiene: timestamp patterns */
    c->done_files++;
    c->done_bytes += res->size;
    if (counts_as_left(res)) c->identifying_files++;
    if (!strcmp(c->command, "scrub") && counts_as_left(res) && res->status != UM_ST_SCRUBBED)
        c->remaining_findings++;
    if (!strcmp(c->command, "scrub") && res->status == UM_ST_SCRUBBED) {
        /* Findings that had no removal (or were kept) are still there. */
        for (size_t i = 0; i < res->findings.len; i++) {
            const struct um_finding *f = um_vec_at(&res->findings, i);
            if (f->severity > UM_SEV_INFO && !um_plan_removes(res, &c->scrub.policy, i)) {
                c->remaining_findings++;
                break;
            }
        }
    }
    print_file_line(c, res);
    draw_progress(c, it->path, false);
    int err = um_report_file(c->report, res);
    return err == -EIO ? 0 : err;   /* a broken report is caught at close */
}

/* Opens (creating as needed) DIR/reldir under the --out root, never following
 * symlinks. Returns a descriptor or -errno. */
static int open_out_dir(int root, const char *reldir)
{
    int fd = fcntl(root, F_DUPFD_CLOEXEC, 0);
    if (fd < 0 || !reldir[0]) return fd < 0 ? -errno : fd;
    char *copy = strdup(reldir);
    if (!copy) {
        close(fd);
        return -ENOMEM;
    }
    char *save = NULL;   /* workers call this concurrently: strtok_r, never strtok */
    for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (mkdirat(fd, part, 0700) != 0 && errno != EEXIST) {
            int e = -errno;
            close(fd);
            free(copy);
            return e;
        }
        int sub = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        if (sub < 0) {
            free(copy);
            return -errno;
        }
        fd = sub;
    }
    free(copy);
    return fd;
}

static int after_scan_scrub(void *opaque, struct um_scanner *sc, struct um_walk_item *it,
                            struct um_file_result *res)
{
    struct cli *c = opaque;
    if (it->leftover && !c->dry_run && !c->out) {
        free(res->error_text);
        if (unlinkat(it->dirfd, it->name, 0) == 0) {
            res->error_text = strdup("temporary file of an interrupted scrub: removed");
        } else {
            res->status = UM_ST_FAILED;
            res->error = -errno;
            res->error_text = strdup("cannot remove the temporary file of an interrupted scrub");
        }
        return 0;
    }
    if (it->kind != UM_WALK_FILE || res->status == UM_ST_SKIPPED) return 0;
    if (it->artifact && S_ISDIR(it->st.st_mode) && !c->scrub.policy.strip[UM_K_OS_ARTIFACT]) {
        /* drive hygiene: a kept artifact folder is left where it is, never copied */
        free(res->error_text);
        res->error_text = strdup(c->out ? "OS artifact folder kept: not copied to --out" : "OS artifact kept");
        return 0;
    }
    int out_dir = -1;
    if (c->out) {
        if (res->status == UM_ST_FAILED) {
            /* Never carry a file we could not parse onto the clean drive; keep why. */
            char *why = NULL;
            if (res->error_text && asprintf(&why, "%s; not copied to --out", res->error_text) < 0) why = NULL;
            free(res->error_text);
            res->error_text = why ? why : strdup("not copied to --out: it could not be parsed");
            return 0;
        }
        out_dir = open_out_dir(c->out_fd, it->reldir);
        if (out_dir < 0) {
            res->status = UM_ST_FAILED;
            res->error = out_dir;
            res->error_text = strdup("cannot create the output directory");
            return 0;
        }
    }
    um_scrub_one(sc, &c->scrub, it->dirfd, it->name, it->fd, out_dir, res);
    if (c->scrub.policy.strip[UM_K_XATTR] && !it->artifact)   /* drive hygiene: user.* xattrs */
        um_drive_scrub_xattrs(it->dirfd, it->name, c->out != NULL, c->dry_run, res);
    if (out_dir >= 0) close(out_dir);
    return 0;
}

static void print_summary(const struct cli *c, const struct um_summary *s, bool interrupted)
{
    char read[32], hashed[32];
    human_bytes(s->bytes_read, read, sizeof read);
    human_bytes(s->bytes_hashed, hashed, sizeof hashed);
    FILE *f = stderr;
    if (c->quiet && !s->errors) return;
    fprintf(f, "\n----------- %s SUMMARY -----------\n", !strcmp(c->command, "scan") ? "SCAN" : "SCRUB");
    if (interrupted) fprintf(f, "Interrupted: the report covers the files finished so far\n");
    fprintf(f, "Files: %llu\n", (unsigned long long)s->files);
    fprintf(f, "Files with findings: %llu\n", (unsigned long long)s->with_findings);
    fprintf(f, "Findings: %llu", (unsigned long long)s->findings);
    const char *sep = " (";
    for (int k = 0; k < UM_K_COUNT_; k++)
        if (s->by_kind[k]) {
            fprintf(f, "%s%s %llu", sep, um_kind_name(k), (unsigned long long)s->by_kind[k]);
            sep = ", ";
        }
    fputs(*sep == ',' ? ")\n" : "\n", f);
    if (!strcmp(c->command, "scrub"))
        fprintf(f, "%s: %llu\n", c->dry_run ? "Would scrub (dry run)" : "Scrubbed",
                (unsigned long long)(c->dry_run ? s->with_findings : s->scrubbed));
    fprintf(f, "Skipped: %llu\n", (unsigned long long)s->skipped);
    fprintf(f, "Errors: %llu\n", (unsigned long long)s->errors);
    fprintf(f, "Data hashed: %s; read from storage: %s\n", hashed, read);
    fprintf(f, "Time: %.3f s\n", s->seconds);
}

/* drive hygiene: drive-level records go through the same emit as a file's */
static int emit_record(void *opaque, struct um_file_result *res)
{
    struct um_walk_item fake = { .kind = UM_WALK_SKIP, .path = res->path, .fd = -1, .dirfd = -1 };
    return emit(opaque, &fake, res);
}

static int cmd_run(const char *command, int argc, char **argv)
{
    struct cli c = { .command = command, .out_fd = -1 };
    um_scan_options_default(&c.scan);
    um_walk_options_default(&c.walk);
    um_scrub_options_default(&c.scrub);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c.jobs = ncpu > 0 ? (int)ncpu : 1;
    bool scrub = !strcmp(command, "scrub");
    bool strip_given = false;

    static const struct option longopts[] = {
#define X(name, sh, arg, id, cmds, help) { name, arg ? required_argument : no_argument, NULL, id },
        UM_OPTIONS(X)
#undef X
        { NULL, 0, NULL, 0 },
    };
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+qj:o:nh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'q': case OPT_QUIET: c.quiet = true; break;
        case 'j': case OPT_JOBS: {
            long v;
            if (parse_count("jobs", optarg, 1, 64, &v)) return 2;
            c.jobs = (int)v;
            break;
        }
        case OPT_JSON: c.json = optarg; break;
        case OPT_NDJSON: c.ndjson = optarg; break;
        case OPT_NO_HASH: c.scan.hash = false; break;
        case OPT_REDACT: c.scan.redact = true; break;
        case OPT_MAX_FILESIZE:
            if (parse_size(optarg, &c.scan.max_filesize) || !c.scan.max_filesize) {
                fprintf(stderr, "unmark: --max-filesize takes a size such as 4G\n");
                return 2;
            }
            break;
        case OPT_MAX_DEPTH: {
            long v;
            if (parse_count("max-depth", optarg, 0, 100000, &v)) return 2;
            c.walk.max_depth = (int)v;
            break;
        }
        case OPT_MAX_FINDINGS: {
            long v;
            if (parse_count("max-findings", optarg, 1, UM_MAX_FINDINGS_LIMIT, &v)) return 2;
            c.scan.max_findings = (uint32_t)v;
            break;
        }
        case OPT_MAX_EMBED: {
            long v;
            if (parse_count("max-embed", optarg, 0, UM_MAX_EMBED_LIMIT, &v)) return 2;
            c.scan.max_embed_depth = (int)v;
            break;
        }
        case OPT_SHARD: {
            unsigned k, n;
            char tail;
            if (sscanf(optarg, "%u/%u%c", &k, &n, &tail) != 2 || n == 0 || k == 0 || k > n) {
                fprintf(stderr, "unmark: --shard takes K/N with 1 <= K <= N\n");
                return 2;
            }
            c.walk.shard_k = k;
            c.walk.shard_n = n;
            break;
        }
        case 'o': case OPT_OUT: c.out = optarg; break;
        case 'n': case OPT_DRY_RUN: c.dry_run = true; break;
        case OPT_COPY: c.copy = true; break;
        case OPT_KEEP: case OPT_STRIP: {
            int k = um_kind_from_name(optarg);
            if (k < 0) {
                fprintf(stderr, "unmark: unknown kind '%s' (see `unmark formats`)\n", optarg);
                return 2;
            }
            if (opt == OPT_STRIP && !strip_given) {
                /* An explicit --strip list replaces the default of everything. */
                for (int i = 0; i < UM_K_COUNT_; i++) c.scrub.policy.strip[i] = false;
                strip_given = true;
            }
            c.scrub.policy.strip[k] = opt == OPT_STRIP;
            break;
        }
        case OPT_NO_SYNC: c.scrub.no_sync_out = true; break;
        case OPT_VERIFY:
            if (!strcmp(optarg, "full")) c.scrub.verify.full_limit = 0;
            else if (!strcmp(optarg, "demux")) c.scrub.verify.demux = true;
            else if (strcmp(optarg, "fast") != 0) {
                fprintf(stderr, "unmark: --verify takes fast, demux or full\n");
                return 2;
            }
            break;
        case OPT_DRIVE: c.drive.drive = true; break;
        case OPT_VOLUME: c.drive.volume = optarg; break;
        case OPT_NEW_SERIAL:
            if (um_volume_parse_serial(optarg, &c.drive.vchange)) {
                fprintf(stderr, "unmark: --new-serial takes random, zero or hex digits\n");
                return 2;
            }
            c.drive.volume_change = true;
            break;
        case OPT_LABEL: c.drive.vchange.set_label = true, c.drive.vchange.label = optarg, c.drive.volume_change = true; break;
        case OPT_TIMES:
            if (um_drive_parse_times(optarg, &c.drive.set_times, &c.drive.times_to)) {
                fprintf(stderr, "unmark: --times takes keep, fixed or fixed=YYYY-MM-DD[THH:MM:SS] (1980-2107)\n");
                return 2;
            }
            break;
        case 'h': case OPT_HELP: usage_for(stdout, command); return 0;
        default: usage_for(stderr, command); return 2;
        }
        /* Scrub-only options are refused by scan. */
        if (!scrub && (opt == 'o' || opt == OPT_OUT || opt == 'n' || opt == OPT_DRY_RUN ||
                       opt == OPT_KEEP || opt == OPT_STRIP || opt == OPT_COPY || opt == OPT_VERIFY || opt == OPT_NO_SYNC ||
                       opt == OPT_NEW_SERIAL || opt == OPT_LABEL || opt == OPT_TIMES)) {
            fprintf(stderr, "unmark: that option belongs to scrub\n");
            return 2;
        }
    }
    if (c.drive.volume_change && !c.drive.volume) {
        fprintf(stderr, "unmark: --new-serial and --label need --volume DEV\n");
        return 2;
    }
    if (optind >= argc && !c.drive.volume) {
        fprintf(stderr, "unmark %s: give at least one PATH (a drive, a folder or a file)\n", command);
        return 2;
    }
    if (c.scrub.no_sync_out && !c.out) {
        /* Elsewhere the copy replaces the original, or edits go in place in an order
         * that only fsync keeps: both must reach the disk before the next step. */
        fprintf(stderr, "unmark: --no-sync goes with --out (originals are edited durably)\n");
        return 2;
    }
    if (c.json && c.ndjson) {
        fprintf(stderr, "unmark: choose one of --json and --ndjson\n");
        return 2;
    }
    c.progress = !c.quiet && isatty(2);
    c.scrub.dry_run = c.dry_run;
    c.scrub.force_copy = c.copy;
    c.scrub.interrupted = &stop_flag;
    c.walk.stop = &stop_flag;

    if (c.out) {
        if (mkdir(c.out, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "unmark: cannot create %s: %s\n", c.out, strerror(errno));
            return 2;
        }
        c.out_fd = open(c.out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c.out_fd < 0) {
            fprintf(stderr, "unmark: cannot open %s: %s\n", c.out, strerror(errno));
            return 2;
        }
        for (int i = optind; i < argc; i++) {
            struct stat a, b;
            if (stat(argv[i], &a) == 0 && fstat(c.out_fd, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino) {
                fprintf(stderr, "unmark: --out must not be the tree being cleaned\n");
                return 2;
            }
        }
    }

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int err;
    const char *rpath = c.ndjson ? c.ndjson : c.json;
    c.report = um_report_open(rpath, c.ndjson != NULL, command, argc + 1, argv - 1, argc - optind,
                              argv + optind, c.scan.hash, &err);
    if (!c.report) {
        fprintf(stderr, "unmark: cannot write the report %s: %s\n", rpath, um_strerror(err));
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    /* A scrub hashes each original together with its result, in one read. */
    if (scrub) c.scan.hash_later = c.scan.hash;
    struct um_run_options ro = {
        .jobs = c.jobs, .scan = c.scan, .walk = c.walk, .stop = &stop_flag,
        .after_scan = scrub ? after_scan_scrub : NULL, .after_opaque = &c,
        .emit = emit, .emit_opaque = &c,
    };
    /* drive hygiene (scrubber/drive_job.c): volume identity, timestamp patterns, --times */
    c.drive.scrub = scrub, c.drive.dry_run = c.dry_run, c.drive.redact = c.scan.redact;
    c.drive.out = c.out, c.drive.stop = &stop_flag, c.drive.emit = emit_record, c.drive.opaque = &c;
    int drive_err = um_drive_job_before(&c.drive, argc - optind, argv + optind);
    int run_err = argc > optind && !drive_err ? um_run(&ro, argc - optind, argv + optind) : 0;
    if (!run_err && !drive_err) drive_err = um_drive_job_after(&c.drive, argc - optind, argv + optind);
    um_drive_job_free(&c.drive);
    /* Each copy reached the disk before it took its name, and its directory after; the
     * directories this run created (mkdir under --out) are made durable here, once for
     * the whole file system: on FAT, a card pulled out after unmark exits then shows
     * every folder. */
    int out_sync_err = 0;
    if (c.out_fd >= 0 && !c.dry_run && !c.scrub.no_sync_out && syncfs(c.out_fd) != 0) out_sync_err = -errno;
    if (c.progress) fputs("\r\033[K", stderr);
    struct um_summary sum;
    bool interrupted = stop_flag != 0;
    int rerr = um_report_close(c.report, interrupted, &sum);
    if (c.out_fd >= 0) close(c.out_fd);
    print_summary(&c, &sum, interrupted);
    if (run_err) fprintf(stderr, "unmark: stopped: %s\n", um_strerror(run_err));
    if (rerr) fprintf(stderr, "unmark: writing the report failed: %s\n", um_strerror(rerr));
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "unmark: writing to standard output failed\n");
        return 2;
    }
    if (drive_err) fprintf(stderr, "unmark: %s\n", um_strerror(drive_err));
    if (out_sync_err) fprintf(stderr, "unmark: the copies under --out may not be on the disk: %s\n", um_strerror(out_sync_err));
    if (run_err || rerr || sum.errors || interrupted || drive_err || out_sync_err) return 2;
    if (scrub && !c.dry_run) return c.remaining_findings ? 1 : 0;
    /* An info note (a name that lies about the content) alone is not a finding that
     * identifies anyone: it does not make the exit status 1. */
    return c.identifying_files ? 1 : 0;
}

static int cmd_scan(int argc, char **argv) { return cmd_run("scan", argc, argv); }
static int cmd_scrub(int argc, char **argv) { return cmd_run("scrub", argc, argv); }

/* unmark merge [--ndjson] [--json FILE] REPORT.ndjson... */
static int cmd_merge(int argc, char **argv)
{
    bool ndjson = false;
    const char *outpath = "-";
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--ndjson")) ndjson = true;
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) outpath = argv[++i];
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: unmark merge [--ndjson] [--json FILE] REPORT.ndjson...\n"
                   "joins NDJSON reports (of --shard runs) into one: files in path order,\n"
                   "summaries added up; JSON to stdout unless --json FILE or --ndjson\n");
            return 0;
        } else {
            fprintf(stderr, "unmark merge: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "unmark merge: give the NDJSON reports to join\n");
        return 2;
    }
    FILE *out = stdout;
    if (strcmp(outpath, "-") != 0) {
        int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, 0600) != 0 || !(out = fdopen(fd, "w"))) {
            fprintf(stderr, "unmark merge: cannot write %s: %s\n", outpath, strerror(errno));
            return 2;
        }
    }
    const char *why;
    int err = um_merge_reports(argc - i, argv + i, out, ndjson, &why);
    if (out != stdout && fclose(out) != 0 && !err) err = -errno, why = "closing the output failed";
    if (err) {
        fprintf(stderr, "unmark merge: %s (%s)\n", why ? why : "failed", um_strerror(err));
        return 2;
    }
    return 0;
}

static int cmd_formats(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("Checked on every file:\n");
    printf("  %-10s %s\n             finds: %s\n             removes: %s\n", "redstar",
           "Red Star OS 3.0 watermark trailer and profile trailer",
           "device IDs (decoded, oldest first), profile trailers, look-alikes",
           "the trailers (zeroed, then cut off)");
    printf("\nFormats:\n");
    for (const struct um_format *const *f = um_formats; *f; f++)
        printf("  %-10s %s (%s)\n             finds: %s\n             removes: %s\n", (*f)->name,
               (*f)->long_name, (*f)->extensions, (*f)->finds, (*f)->removes);
    printf("\nKinds:");
    for (int k = 0; k < UM_K_COUNT_; k++) printf("%s %s", k ? "," : "", um_kind_name(k));
    printf("\n");
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("unmark %s\n", UM_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    usage(stdout);
    return 0;
}

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    { "scan", cmd_scan },       { "scrub", cmd_scrub }, { "formats", cmd_formats },
    { "merge", cmd_merge },
    { "version", cmd_version }, { "help", cmd_help },   { "--help", cmd_help },
    { "-h", cmd_help },         { "--version", cmd_version },
};

int main(int argc, char **argv)
{
    /* A line per file that needs attention: written whole, not one write per piece
     * (unbuffered, a corpus of 2 000 tagged files cost 24 000 writes). */
    setvbuf(stderr, NULL, _IOLBF, 0);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].fn(argc - 1, argv + 1);
            if (fflush(stdout) != 0 || ferror(stdout)) return 2;
            return rc;
        }
    fprintf(stderr, "unmark: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
