/* The bench's stopwatch: runs a command and writes, to the file named first,
 *   wall_s exit_code maxrss_kb user_s sys_s
 * The clock runs here, around spawn and wait, so a timing leaves out the driver's own
 * process start (forking the python driver) and what GNU time and bash would add (1.4 ms
 * and 1.1 ms on the bench machine: more than unmark's in-place scrub of a film). The max
 * RSS is the command's, from wait4: a process inherits the RSS high-water mark of the
 * process it was exec'd from, and this one is small.
 *
 *   timed OUT PROGRAM [ARG...]      exit status: the command's (128 + signal if killed) */
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double seconds(struct timespec t) { return (double)t.tv_sec + (double)t.tv_nsec * 1e-9; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: timed OUT PROGRAM [ARG...]\n");
        return 2;
    }
    struct timespec t0, t1;
    pid_t pid;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int err = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (err != 0) {
        fprintf(stderr, "timed: cannot start %s\n", argv[2]);
        return 127;
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("timed: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%.9f %d %ld %.6f %.6f\n", seconds(t1) - seconds(t0), rc, ru.ru_maxrss,
                        seconds((struct timespec){ru.ru_utime.tv_sec, ru.ru_utime.tv_usec * 1000}),
                        seconds((struct timespec){ru.ru_stime.tv_sec, ru.ru_stime.tv_usec * 1000})) < 0 ||
        fclose(out) != 0) {
        perror("timed: writing the result");
        return 2;
    }
    return rc;
}
