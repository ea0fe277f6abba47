package dev.edgeagent.agent.doctor;

import dev.edgeagent.runtime.host.CgroupMode;
import java.util.ArrayList;
import dev.edgeagent.security.userns.IdRangeAllocator;
import dev.edgeagent.security.userns.SubordinateIds;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Judges a host for running edgeagent: each problem with its fix. Pure. */
public final class Doctor {
    static final long MIN_FREE_BYTES = 1L << 30;
    static final long FEW_USER_NAMESPACES = 64;
    static final Set<String> NEEDED_CONTROLLERS = Set.of("memory", "pids", "cpu");

    private Doctor() {}

    public static List<Finding> evaluate(HostFacts h) {
        List<Finding> out = new ArrayList<>();
        out.add(kernel(h.kernelRelease()));
        out.add(h.root() ? Finding.ok("user", "running as root")
                : Finding.fail("user", "not root", "run the agent as root: it creates user namespaces and cgroups and chowns rootfs trees"));
        out.add(h.maxUserNamespaces() >= FEW_USER_NAMESPACES ? Finding.ok("user namespaces", "max_user_namespaces = " + h.maxUserNamespaces())
                : h.maxUserNamespaces() > 0 ? Finding.warn("user namespaces", "max_user_namespaces = " + h.maxUserNamespaces()
                        + ": each running app takes one, so at most that many apps can run at once",
                        "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d/)")
                : Finding.fail("user namespaces", h.maxUserNamespaces() == 0 ? "disabled (max_user_namespaces = 0)" : "not supported by this kernel",
                        "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d/)"));
        out.add(h.seccomp() ? Finding.ok("seccomp", "available")
                : Finding.fail("seccomp", "this kernel has no seccomp filter support", "use a kernel built with CONFIG_SECCOMP_FILTER=y"));
        Set<String> missing = new java.util.TreeSet<>(NEEDED_CONTROLLERS);
        missing.removeAll(h.cgroupControllers());
        out.add(missing.isEmpty()
                ? Finding.ok("cgroups", h.cgroupMode().name().toLowerCase() + ", controllers " + new java.util.TreeSet<>(h.cgroupControllers()))
                : Finding.fail("cgroups", h.cgroupMode().name().toLowerCase() + " without " + missing,
                        "enable the controllers " + missing + " (kernel command line cgroup_enable=memory, or systemd's Delegate=)"));
        if (h.cgroupMode() == CgroupMode.HYBRID) {
            out.add(Finding.warn("cgroup layout", "hybrid (v1 controllers, v2 tree beside them): crun cannot run here, runc can",
                    "boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2, or keep runc"));
        }
        out.add(h.runcVersion().map(v -> runc(v, h)).orElse(Finding.warn("runc", "not installed", "apt-get install runc")));
        out.add(subordinateIds(h));
        out.add(h.crunVersion().map(v -> Finding.ok("crun", v))
                .orElse(h.cgroupMode() == CgroupMode.HYBRID
                        ? Finding.ok("crun", "not installed (it could not run on this hybrid cgroup layout anyway)")
                        : Finding.warn("crun", "not installed (optional; smaller than runc on cgroup v2 hosts)", "apt-get install crun")));
        out.add(h.runtimeProblem().map(p -> Finding.fail("runtime choice", p, "install runc: apt-get install runc"))
                .orElseGet(() -> Finding.ok("runtime choice", h.runtimeChoice().orElse("?"))));
        String where = h.storageMissing() ? h.storageRoot() + " does not exist yet; its nearest existing parent " + h.storageExistingParent()
                : h.storageRoot();
        out.add(h.storageWritable() ? Finding.ok("storage root", where + (h.storageMissing() ? " is writable: the agent creates it there"
                        : " is writable"))
                : Finding.fail("storage root", where + " is not writable", "create it as root: mkdir -p " + h.storageRoot()
                        + " && chmod 0711 " + h.storageRoot()));
        long freeMiB = h.storageFreeBytes() >> 20;
        out.add(h.storageFreeBytes() >= MIN_FREE_BYTES ? Finding.ok("free space", freeMiB + " MiB free under " + h.storageRoot())
                : Finding.warn("free space", "only " + freeMiB + " MiB free under " + h.storageRoot(),
                        "free at least 1 GiB there, or point the agent's root at a larger filesystem"));
        return out;
    }

    /** Exposed to a known escape: a failure where runc runs the apps, a warning where crun does. */
    static Finding runc(String versionLine, HostFacts h) {
        Optional<RuncAdvisories.Version> version = RuncAdvisories.Version.find(versionLine);
        if (version.isEmpty()) {
            return Finding.warn("runc", "cannot tell the version from '" + versionLine + "', so not whether it has known escapes",
                    "install runc 1.1.12 or later from the distribution (apt-get install runc)");
        }
        List<RuncAdvisories.Advisory> exposed = RuncAdvisories.exposures(version.get(), h.runcPackageFixes());
        if (exposed.isEmpty()) {
            List<String> backported = RuncAdvisories.KNOWN.stream().map(RuncAdvisories.Advisory::cve)
                    .filter(h.runcPackageFixes()::contains).filter(cve -> RuncAdvisories.exposures(version.get(), Set.of()).stream()
                            .anyMatch(a -> a.cve().equals(cve))).toList();
            return Finding.ok("runc", versionLine + (backported.isEmpty() ? "" : " (its package carries the fix for "
                    + String.join(", ", backported) + ")"));
        }
        String detail = versionLine + " is exposed to " + String.join("; ", exposed.stream()
                .map(a -> a.cve() + " (" + a.summary() + ", fixed in " + a.fixedIn() + ")").toList());
        String fix = "upgrade runc to " + exposed.get(exposed.size() - 1).fixedIn() + " or later, or to a distribution package"
                + " whose changelog names the fix (Debian: apt-get update && apt-get install runc)";
        boolean crunRuns = h.runtimeChoice().map(c -> c.startsWith("crun")).orElse(false);
        return crunRuns ? Finding.warn("runc", detail + "; crun runs the apps here", fix) : Finding.fail("runc", detail, fix);
    }

    /** A subuid/subgid entry over an app's ids lets its owner act as that app's root on the host. */
    static Finding subordinateIds(HostFacts h) {
        List<String> clashes = new ArrayList<>();
        for (var app : new java.util.TreeMap<>(h.appIdRanges()).entrySet()) {
            SubordinateIds.overlapping(app.getValue(), h.subordinateIds()).ifPresent(e -> clashes.add(e.describe()
                    + " overlaps the ids of app " + app.getKey() + " (" + app.getValue().hostStart() + "-" + app.getValue().hostEnd() + ")"));
        }
        if (!clashes.isEmpty()) {
            return Finding.fail("subordinate ids", String.join("; ", clashes) + ": that user could act as the app's root on the host,"
                    + " and the agent refuses to deploy the app", "remove or move the entry (usermod --del-subuids/--del-subgids), then deploy again");
        }
        long inAgentArea = h.subordinateIds().stream().filter(e -> e.range().hostEnd() >= IdRangeAllocator.FIRST_HOST_ID).count();
        return Finding.ok("subordinate ids", inAgentArea == 0 ? "no /etc/subuid or /etc/subgid entry overlaps an app's ids"
                : inAgentArea + " /etc/subuid or /etc/subgid entries lie where apps' ids are allocated; new apps' ranges skip them");
    }

    static Finding kernel(String release) {
        String[] parts = release.split("[.-]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            if (major > 5 || (major == 5 && minor >= 4)) {
                return Finding.ok("kernel", release);
            }
            return Finding.warn("kernel", release + " is older than 5.4: user namespaces and cgroup features may be missing",
                    "use a 5.4 or newer kernel");
        } catch (RuntimeException e) {
            return Finding.warn("kernel", "unreadable release '" + release + "'", "check uname -r");
        }
    }

    public static boolean healthy(List<Finding> findings) {
        return findings.stream().noneMatch(f -> f.level() == Finding.Level.FAIL);
    }
}
