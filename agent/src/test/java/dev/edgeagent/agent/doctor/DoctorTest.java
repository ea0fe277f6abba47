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
                Optional.of("runc version 1.1.5"), Optional.of("crun version 1.8.1"), Optional.of("crun (auto)"), Optional.empty(),
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
}
