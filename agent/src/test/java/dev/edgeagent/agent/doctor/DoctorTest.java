package dev.edgeagent.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.runtime.host.CgroupMode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DoctorTest {
    private static HostFacts healthy() {
        return new HostFacts("6.1.0-13-amd64", true, 15000, true, CgroupMode.UNIFIED, Set.of("cpu", "memory", "pids", "io"),
                Optional.of("runc version 1.1.12"), Optional.of("crun version 1.8.1"), Optional.of("runc (auto)"), Optional.empty(),
                "/var/lib/edgeagent", true, 10L << 30);
    }

    private static Finding find(List<Finding> fs, String check) {
        return fs.stream().filter(f -> f.check().equals(check)).findFirst().orElseThrow();
    }

    @Test
    void aGoodHostIsHealthy() {
        List<Finding> fs = Doctor.evaluate(healthy());
        assertTrue(Doctor.healthy(fs));
        assertTrue(fs.stream().allMatch(f -> f.level() == Finding.Level.OK), fs.toString());
    }

    @Test
    void eachProblemComesWithItsFix() {
        HostFacts h = healthy();
        HostFacts bad = new HostFacts("4.9.0", false, 0, false, CgroupMode.HYBRID, Set.of("cpu"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("no OCI runtime is installed: apt-get install runc"), h.storageRoot(), false, 10L << 20);
        List<Finding> fs = Doctor.evaluate(bad);
        assertFalse(Doctor.healthy(fs));
        assertEquals(Finding.Level.FAIL, find(fs, "user namespaces").level());
        assertTrue(find(fs, "user namespaces").fix().contains("max_user_namespaces"));
        assertTrue(find(fs, "cgroups").detail().contains("memory") && find(fs, "cgroups").detail().contains("pids"));
        assertEquals(Finding.Level.WARN, find(fs, "kernel").level());
        assertTrue(find(fs, "runtime choice").fix().contains("apt-get install runc"));
        assertTrue(find(fs, "storage root").fix().contains("mkdir -p /var/lib/edgeagent"));
        assertEquals(Finding.Level.WARN, find(fs, "free space").level());
        assertEquals(Finding.Level.WARN, find(fs, "cgroup layout").level());
        assertTrue(fs.stream().filter(f -> f.level() != Finding.Level.OK).allMatch(f -> !f.fix().isEmpty()), fs.toString());
    }

    @Test
    void fewUserNamespacesLimitHowManyAppsRun() {
        HostFacts h = healthy();
        HostFacts few = new HostFacts(h.kernelRelease(), true, 9, true, h.cgroupMode(), h.cgroupControllers(), h.runcVersion(),
                h.crunVersion(), h.runtimeChoice(), h.runtimeProblem(), h.storageRoot(), true, h.storageFreeBytes());
        Finding f = find(Doctor.evaluate(few), "user namespaces");
        assertEquals(Finding.Level.WARN, f.level());
        assertTrue(f.detail().contains("at most that many apps"), f.detail());
    }

    @Test
    void aStorageRootNotMadeYetNamesItsNearestExistingParent() {
        HostFacts h = healthy();
        HostFacts fresh = new HostFacts(h.kernelRelease(), true, 15000, true, h.cgroupMode(), h.cgroupControllers(), h.runcVersion(),
                h.crunVersion(), h.runtimeChoice(), h.runtimeProblem(), "/var/lib/edgeagent", true, 10L << 30, "/var/lib");
        Finding f = find(Doctor.evaluate(fresh), "storage root");
        assertEquals(Finding.Level.OK, f.level());
        assertEquals("/var/lib/edgeagent does not exist yet; its nearest existing parent /var/lib is writable: the agent creates it there",
                f.detail());
        HostFacts readOnly = new HostFacts(h.kernelRelease(), true, 15000, true, h.cgroupMode(), h.cgroupControllers(), h.runcVersion(),
                h.crunVersion(), h.runtimeChoice(), h.runtimeProblem(), "/data/edgeagent", false, 10L << 30, "/");
        assertEquals("/data/edgeagent does not exist yet; its nearest existing parent / is not writable",
                find(Doctor.evaluate(readOnly), "storage root").detail());
    }

    @Test
    void crunIsNotSuggestedWhereItCannotRun() {
        HostFacts h = healthy();
        HostFacts hybrid = new HostFacts(h.kernelRelease(), true, 15000, true, CgroupMode.HYBRID, h.cgroupControllers(), h.runcVersion(),
                Optional.empty(), Optional.of("runc (auto)"), Optional.empty(), h.storageRoot(), true, 10L << 30);
        List<Finding> fs = Doctor.evaluate(hybrid);
        assertTrue(find(fs, "cgroup layout").detail().contains("crun cannot run here"));
        assertEquals("", find(fs, "crun").fix());
        assertTrue(fs.stream().noneMatch(f -> f.fix().contains("install crun")), fs.toString());
        HostFacts unified = new HostFacts(h.kernelRelease(), true, 15000, true, CgroupMode.UNIFIED, h.cgroupControllers(), h.runcVersion(),
                Optional.empty(), Optional.of("runc (auto)"), Optional.empty(), h.storageRoot(), true, 10L << 30);
        assertEquals("apt-get install crun", find(Doctor.evaluate(unified), "crun").fix());
    }

    private static HostFacts withRunc(String version, Set<String> packageFixes, String choice) {
        HostFacts h = healthy();
        return new HostFacts(h.kernelRelease(), true, h.maxUserNamespaces(), true, h.cgroupMode(), h.cgroupControllers(),
                Optional.of(version), h.crunVersion(), Optional.of(choice), Optional.empty(), h.storageRoot(), true, h.storageFreeBytes(), h.storageRoot(),
                packageFixes, List.of(), java.util.Map.of());
    }

    @Test
    void runcVersionsKnownToLetAContainerEscapeAreNamed() {
        Finding rc6 = find(Doctor.evaluate(withRunc("runc version 1.0.0-rc6", Set.of(), "runc (auto)")), "runc");
        assertEquals(Finding.Level.FAIL, rc6.level());
        assertTrue(rc6.detail().contains("CVE-2019-5736") && rc6.detail().contains("CVE-2024-21626"), rc6.detail());
        assertTrue(rc6.fix().contains("1.1.12"), rc6.fix());
        Finding rc92 = find(Doctor.evaluate(withRunc("runc version 1.0.0-rc92", Set.of(), "runc (auto)")), "runc");
        assertEquals(Finding.Level.FAIL, rc92.level());
        assertFalse(rc92.detail().contains("CVE-2019-5736"), "rc7 and later have that fix: " + rc92.detail());
        Finding bookworm = find(Doctor.evaluate(withRunc("runc version 1.1.5+ds1", Set.of(), "runc (auto)")), "runc");
        assertEquals(Finding.Level.FAIL, bookworm.level(), "1.1.5 without a backport is exposed");
        assertTrue(bookworm.detail().contains("CVE-2024-21626"), bookworm.detail());
        Finding patched = find(Doctor.evaluate(withRunc("runc version 1.1.5+ds1", Set.of("CVE-2024-21626", "CVE-2023-27561"),
                "runc (auto)")), "runc");
        assertEquals(Finding.Level.OK, patched.level(), patched.toString());
        assertTrue(patched.detail().contains("carries the fix for CVE-2024-21626"), patched.detail());
        assertEquals(Finding.Level.OK, find(Doctor.evaluate(withRunc("runc version 1.2.0", Set.of(), "runc (auto)")), "runc").level());
        assertEquals(Finding.Level.WARN, find(Doctor.evaluate(withRunc("runc version 1.1.5", Set.of(), "crun (auto)")), "runc").level(),
                "installed but not what runs the apps");
        assertEquals(Finding.Level.WARN, find(Doctor.evaluate(withRunc("runc version ?", Set.of(), "runc (auto)")), "runc").level());
        assertTrue(RuncAdvisories.Version.find("1.0.0-rc7").orElseThrow().compareTo(RuncAdvisories.Version.find("1.0.0").orElseThrow()) < 0);
        assertTrue(RuncAdvisories.Version.find("1.0.0~rc6+dfsg1").orElseThrow().compareTo(RuncAdvisories.Version.find("1.0.0-rc10").orElseThrow()) < 0);
    }

    @Test
    void theDebianChangelogNamesTheBackportedFixes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path changelog = dir.resolve("changelog.Debian.gz");
        try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(changelog))) {
            out.write(("runc (1.1.5+ds1-1+deb12u1) bookworm-security; urgency=medium\n\n  * Fix CVE-2024-21626: leaked fds\n"
                    + "    (Closes: #1062532)\n  * Also CVE-2023-25809\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(Set.of("CVE-2024-21626", "CVE-2023-25809"), HostProbe.packageFixes(changelog));
        assertEquals(Set.of(), HostProbe.packageFixes(dir.resolve("absent.gz")));
    }

    @Test
    void aSubuidEntryOverAnAppsIdsIsAFailureThatNamesBoth() {
        HostFacts h = healthy();
        var entries = dev.edgeagent.security.userns.SubordinateIds.parse("/etc/subuid", "alice:100000:65536\nmallory:1114200:10\n");
        var ranges = java.util.Map.of("web", new dev.edgeagent.security.userns.IdRange(1114112, 65536),
                "db", new dev.edgeagent.security.userns.IdRange(1048576, 65536));
        HostFacts clash = new HostFacts(h.kernelRelease(), true, h.maxUserNamespaces(), true, h.cgroupMode(), h.cgroupControllers(),
                h.runcVersion(), h.crunVersion(), h.runtimeChoice(), h.runtimeProblem(), h.storageRoot(), true, h.storageFreeBytes(), h.storageRoot(),
                Set.of(), entries, ranges);
        Finding f = find(Doctor.evaluate(clash), "subordinate ids");
        assertEquals(Finding.Level.FAIL, f.level());
        assertTrue(f.detail().contains("/etc/subuid entry mallory:1114200:10 overlaps the ids of app web"), f.detail());
        assertFalse(f.detail().contains("alice"), f.detail());
        HostFacts apart = new HostFacts(h.kernelRelease(), true, h.maxUserNamespaces(), true, h.cgroupMode(), h.cgroupControllers(),
                h.runcVersion(), h.crunVersion(), h.runtimeChoice(), h.runtimeProblem(), h.storageRoot(), true, h.storageFreeBytes(), h.storageRoot(),
                Set.of(), entries.subList(0, 1), ranges);
        assertEquals(Finding.Level.OK, find(Doctor.evaluate(apart), "subordinate ids").level());
    }
}
