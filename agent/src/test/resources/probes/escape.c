/*
 * Escape probe, run inside a default container by ContainerIsolationIT. Each line: "<probe>: refused <errno>" or
 * "<probe>: ALLOWED". Static, so it needs nothing from the image. Tries what an attacker would try first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

static void report(const char *name, long rc) {
    if (rc < 0) {
        printf("%s: refused %s\n", name, strerror(errno));
    } else {
        printf("%s: ALLOWED\n", name);
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Never on a host: only where uid 0 is mapped from elsewhere (inside a user namespace). */
    FILE *map = fopen("/proc/self/uid_map", "r");
    long inside = -1, outside = -1, count = -1;
    if (map == NULL || fscanf(map, "%ld %ld %ld", &inside, &outside, &count) != 3 || outside == 0) {
        printf("probe: not inside a user namespace; refusing to run\n");
        return 2;
    }
    fclose(map);
    printf("probe: begin\n");
    report("unshare_user", unshare(CLONE_NEWUSER));
    report("unshare_mount", unshare(CLONE_NEWNS));
    report("unshare_net", unshare(CLONE_NEWNET));
    long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child == 0) {
        _exit(0);
    }
    if (child > 0) {
        waitpid(child, NULL, 0);
    }
    report("clone_newuser", child);
    report("setns", syscall(SYS_setns, 0, 0));
    report("mount", mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
    report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
    report("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, -3));
    report("bpf", syscall(SYS_bpf, 0, NULL, 0));
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    report("perf_event_open", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
    report("ptrace", ptrace(PTRACE_ATTACH, 1, NULL, NULL));
    report("raw_socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    report("mknod", mknod("/tmp/probe-dev", S_IFCHR | 0600, makedev(1, 3)));
    int fd = open("/tmp/probe-file", O_CREAT | O_WRONLY, 0600);
    close(fd);
    report("chown_foreign", chown("/tmp/probe-file", 70000, 70000));
    report("write_rootfs", open("/probe-rootfs", O_CREAT | O_WRONLY, 0600));
    report("sysrq_trigger", open("/proc/sysrq-trigger", O_WRONLY));
    char buf[16];
    int kcore = open("/proc/kcore", O_RDONLY);
    report("read_kcore", kcore < 0 ? -1 : (read(kcore, buf, sizeof buf) > 0 ? 0 : (errno = EPERM, -1)));
    report("sethostname", sethostname("escaped", 7));
    report("chroot", chroot("/tmp"));
    report("reboot", syscall(SYS_reboot, 0xfee1dead, 672274793, 0x1234567, NULL));
    report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
    report("init_module", syscall(SYS_init_module, NULL, 0, ""));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0));
    printf("probe: end\n");
    if (argc > 1 && strcmp(argv[1], "--stay") == 0) {
        for (;;) pause();
    }
    return 0;
}
