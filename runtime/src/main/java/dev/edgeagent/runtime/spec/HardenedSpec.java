package dev.edgeagent.runtime.spec;

import static dev.edgeagent.runtime.spec.SpecOptions.*;

import java.util.List;

/** The options every app gets: the CIS Docker Benchmark section 5 as a floor, read top to bottom. */
public final class HardenedSpec {
    public static final String CGROUP_PARENT = "/edgeagent";

    /**
     * Where one agent's containers' cgroups live: under its device id, so two agents on one host (a test fleet,
     * an agent beside the quickstart's) never share a cgroup because their apps share a name.
     */
    public static String cgroupParent(String deviceId) {
        return CGROUP_PARENT + "/" + deviceId;
    }

    static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    // /sys/fs/cgroup: on cgroup v1 runc puts a writable tmpfs of the container's own under the read-only controller
    // mounts; listed here it is remounted read-only as well.
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger", "/sys/fs/cgroup");

    private HardenedSpec() {}

    public static List<SpecOption> options() {
        return options(CGROUP_PARENT);
    }

    public static List<SpecOption> options(String cgroupParent) {
        return List.of(
                withRoot(),
                withProcess(),
                withReadOnlyRoot(),
                withNoNewPrivileges(),
                withCapabilities(),
                withRlimit("RLIMIT_NOFILE", 1024, 1024),
                withPrivateNamespaces(),
                withUserNamespaceMapping(),
                withMount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                withMount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                withMount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                withMount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                withMount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                withSysfs(),
                // The app's own cgroup, read-only: it may read its limits, never change them.
                withMount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")),
                withTmpfs("/tmp", "64m"),
                withTmpfs("/run", "16m"),
                withVolumes(),
                withMaskedPaths(MASKED_PATHS),
                withReadonlyPaths(READONLY_PATHS),
                withResourceLimits(),
                withCpu(),
                withGrantedDevices(),
                withSeccomp(),
                withCgroupsPath(cgroupParent));
    }

    public static OciSpec build(AppSpec app) {
        return build(app, CGROUP_PARENT);
    }

    public static OciSpec build(AppSpec app, String cgroupParent) {
        return SpecOptions.build(app, options(cgroupParent));
    }
}
