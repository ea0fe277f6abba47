/*
 * An app that attacks its own log through its stdout: makes it 1 TiB long and sparse (ftruncate), preallocates
 * disk past its end (fallocate with FALLOC_FL_KEEP_SIZE), does both again through a fresh open of
 * /proc/self/fd/1, then writes a long stream without a single newline. Sizes come from argv (bytes).
 * Each outcome is reported on stderr; "logfill: done" ends the run, then it waits to be stopped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void attack(int fd, const char *how, long long size, long long prealloc) {
    int r = ftruncate(fd, size);
    dprintf(2, "logfill: ftruncate via %s: %s\n", how, r == 0 ? "done" : strerror(errno));
    r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, prealloc);
    dprintf(2, "logfill: fallocate keep-size via %s: %s\n", how, r == 0 ? "done" : strerror(errno));
}

int main(int argc, char **argv) {
    long long size = argc > 1 ? atoll(argv[1]) : 1LL << 40;
    long long prealloc = argc > 2 ? atoll(argv[2]) : 256LL << 20;
    long long stream = argc > 3 ? atoll(argv[3]) : 200LL << 20;
    attack(1, "stdout", size, prealloc);
    int again = open("/proc/self/fd/1", O_WRONLY);
    if (again >= 0) {
        attack(again, "/proc/self/fd/1", size, prealloc);
        close(again);
    } else {
        dprintf(2, "logfill: reopen: %s\n", strerror(errno));
    }
    static char buf[65536];
    memset(buf, 'x', sizeof buf);
    long long written = 0;
    while (written < stream) {
        size_t n = stream - written < (long long) sizeof buf ? (size_t) (stream - written) : sizeof buf;
        ssize_t w = write(1, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            dprintf(2, "\nlogfill: write: %s\n", strerror(errno));
            return 1;
        }
        written += w;
    }
    dprintf(1, "\nlogfill: done %lld\n", written);
    for (;;) pause();
}
