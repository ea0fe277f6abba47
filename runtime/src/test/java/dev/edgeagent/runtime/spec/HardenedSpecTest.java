package dev.edgeagent.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.profiles.DeviceGrant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each hardening default, read off the spec the options build. */
class HardenedSpecTest {
    private static final IdRange IDS = new IdRange(1_048_576, 65536);

    private static AppSpec app() {
        return new AppSpec("demo-1", "demo", List.of("/bin/sh", "-c", "sleep 1"), List.of("PATH=/bin"), "/", 0, 0, IDS,
                new ResourceLimits(64L << 20, 32, 1000), DefaultSeccompProfile.forArch("amd64"));
    }

    private final OciSpec spec = HardenedSpec.build(app());

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String key : path) {
            cur = ((Map<String, Object>) cur).get(key);
        }
        return (T) cur;
    }

    @Test
    void dropsEveryCapabilityAndSetsNoNewPrivileges() {
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            assertEquals(List.of(), at(spec.root(), "process", "capabilities", set), set);
        }
        assertEquals(true, at(spec.root(), "process", "noNewPrivileges"));
    }

    @Test
    void mapsContainerRootIntoTheAppRangeNeverHostRoot() {
        List<Map<String, Object>> uid = at(spec.root(), "linux", "uidMappings");
        assertEquals(Map.of("containerID", 0L, "hostID", 1_048_576L, "size", 65536L), uid.get(0));
        assertEquals(uid, at(spec.root(), "linux", "gidMappings"));
        List<Map<String, Object>> ns = at(spec.root(), "linux", "namespaces");
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network", "user", "cgroup"), ns.stream().map(n -> n.get("type")).toList());
    }

    @Test
    void rootIsReadOnlyAndTmpIsAWritableTmpfs() {
        assertEquals(true, at(spec.root(), "root", "readonly"));
        Map<String, Object> tmp = mount("/tmp");
        assertEquals("tmpfs", tmp.get("type"));
        assertTrue(((List<String>) tmp.get("options")).containsAll(List.of("nosuid", "nodev", "noexec")));
        assertTrue(((List<String>) mount("/sys/fs/cgroup").get("options")).contains("ro"));
    }

    @Test
    void alwaysLimitsMemoryWithoutSwapAndPids() {
        assertEquals(64L << 20, (long) at(spec.root(), "linux", "resources", "memory", "limit"));
        assertEquals(64L << 20, (long) at(spec.root(), "linux", "resources", "memory", "swap"));
        assertEquals(32L, (long) at(spec.root(), "linux", "resources", "pids", "limit"));
        assertEquals(List.of(Map.of("allow", false, "access", "rwm")), at(spec.root(), "linux", "resources", "devices"));
    }

    @Test
    void masksKernelInterfaces() {
        List<String> masked = at(spec.root(), "linux", "maskedPaths");
        assertTrue(masked.containsAll(List.of("/proc/kcore", "/proc/keys", "/sys/firmware")));
        List<String> ro = at(spec.root(), "linux", "readonlyPaths");
        assertTrue(ro.containsAll(List.of("/proc/sys", "/proc/sysrq-trigger", "/sys/fs/cgroup")));
    }

    @Test
    void carriesTheDefaultDenySeccompProfileAndItsOwnCgroup() {
        assertEquals("SCMP_ACT_ERRNO", at(spec.root(), "linux", "seccomp", "defaultAction"));
        assertEquals("/edgeagent/demo-1", at(spec.root(), "linux", "cgroupsPath"));
    }

    static AppSpec granted() {
        return new AppSpec("gw-1", "gw", List.of("/bin/sh"), List.of(), "/", 0, 0, IDS, new ResourceLimits(64L << 20, 32, 500),
                DefaultSeccompProfile.forArch("amd64"), List.of("CAP_NET_BIND_SERVICE"),
                List.of(new DeviceGrant("/dev/ttyUSB0", 'c', 188, 0)), true,
                List.of(new BindMount(Path.of("/var/lib/edgeagent/volumes/gw/data"), "/data", false)));
    }

    @Test
    void grantsAddExactlyWhatWasAdmitted() {
        OciSpec g = HardenedSpec.build(granted());
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), at(g.root(), "process", "capabilities", "effective"));
        assertEquals(List.of(), at(g.root(), "process", "capabilities", "ambient"));
        List<Map<String, Object>> ns = at(g.root(), "linux", "namespaces");
        assertTrue(ns.stream().noneMatch(n -> n.get("type").equals("network")), "host network: no network namespace");
        assertTrue(ns.stream().anyMatch(n -> n.get("type").equals("user")), "still a user namespace");
        List<Map<String, Object>> rules = at(g.root(), "linux", "resources", "devices");
        assertEquals(Map.of("allow", false, "access", "rwm"), rules.get(0), "deny first");
        assertEquals(true, rules.get(1).get("allow"));
        assertEquals(188L, rules.get(1).get("major"));
        List<Map<String, Object>> nodes = at(g.root(), "linux", "devices");
        assertEquals("/dev/ttyUSB0", nodes.get(0).get("path"));
        Map<String, Object> data = spec.mounts().stream().map(m -> (Map<String, Object>) m).filter(m -> "/data".equals(m.get("destination")))
                .findFirst().orElse(null);
        assertEquals(null, data, "the default has no volume");
        @SuppressWarnings("unchecked")
        Map<String, Object> vol = g.mounts().stream().map(m -> (Map<String, Object>) m).filter(m -> "/data".equals(m.get("destination")))
                .findFirst().orElseThrow();
        assertTrue(((List<String>) vol.get("options")).containsAll(List.of("nosuid", "nodev", "rbind")));
        assertEquals(50_000L, (long) at(g.root(), "linux", "resources", "cpu", "quota"), "0.5 CPU of a 100 ms period");
        Map<String, Object> sys = g.mounts().stream().map(m -> (Map<String, Object>) m).filter(m -> "/sys".equals(m.get("destination")))
                .findFirst().orElseThrow();
        assertEquals("bind", sys.get("type"), "with the host's network, /sys is the host's, read-only");
        // "ro" alone remounts only the top of an rbind: the host's sub-mounts (cgroup, securityfs, …) stay writable.
        assertTrue(((List<String>) sys.get("options")).contains("rro"), sys.toString());
    }

    @Test
    void aWorkingDirectoryUnderProcIsRefused() {
        for (String cwd : List.of("/proc", "/proc/self/fd/7", "/proc/", "/tmp/../proc/self/cwd", "/./proc/1/root")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AppSpec("x", "x", List.of("/a"),
                    List.of(), cwd, 0, 0, IDS, new ResourceLimits(64L << 20, 32, 1000), DefaultSeccompProfile.forArch("amd64")), cwd);
            assertTrue(e.getMessage().contains("under /proc"), e.getMessage());
        }
        for (String cwd : List.of("/", "/process", "/srv/proc", "/procfs/x")) {
            assertEquals(cwd, new AppSpec("x", "x", List.of("/a"), List.of(), cwd, 0, 0, IDS, new ResourceLimits(64L << 20, 32, 1000),
                    DefaultSeccompProfile.forArch("amd64")).cwd());
        }
    }

    @Test
    void anAppWithoutACommandOrWithAForeignUserIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AppSpec("x", "x", List.of(), List.of(), "/", 0, 0, IDS,
                new ResourceLimits(64L << 20, 32, 1000), DefaultSeccompProfile.forArch("amd64")));
        assertThrows(IllegalArgumentException.class, () -> new AppSpec("x", "x", List.of("/a"), List.of(), "/", 70000, 0, IDS,
                new ResourceLimits(64L << 20, 32, 1000), DefaultSeccompProfile.forArch("amd64")));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> mount(String destination) {
        return spec.mounts().stream().map(m -> (Map<String, Object>) m)
                .filter(m -> destination.equals(m.get("destination"))).findFirst().orElseThrow();
    }
}
