package dev.edgeagent.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A stricter profile names everything a running app has beyond it; a looser one names nothing. */
class ProfileViolationsTest {
    static final ResourceLimits SMALL = new ResourceLimits(64L << 20, 32, 500);

    static DeviceProfile profile(String ceilings, String grants) throws Exception {
        return DeviceProfiles.parse(("{\"name\":\"p\",\"platform\":\"linux/amd64\",\"defaults\":{\"memoryBytes\":33554432,\"pids\":16,"
                + "\"cpus\":0.25},\"ceilings\":" + ceilings + ",\"grants\":" + grants + "}").getBytes(StandardCharsets.UTF_8), "test");
    }

    @Test
    void anAppWithinTheProfileComplies() throws Exception {
        DeviceProfile loose = DeviceProfiles.builtin("generic-x86_64");
        AppGrants g = new AppGrants(Set.of("CAP_NET_BIND_SERVICE"), List.of(), true, List.of("data"), false, Set.of(), true,
                List.of(8080), List.of());
        assertEquals(List.of(), loose.violations(SMALL, g));
    }

    @Test
    void everyCeilingPassedAndEveryGrantWithdrawnIsNamed() throws Exception {
        DeviceProfile strict = profile("{\"memoryBytes\":33554432,\"pids\":16,\"cpus\":0.25,\"storageBytes\":1048576}",
                "{\"network\":{\"bridge\":true,\"hostPorts\":[\"9000-9001\"]}}");
        AppGrants g = new AppGrants(Set.of("CAP_NET_RAW"), List.of("/dev/ttyUSB0"), true, List.of("data"), true, Set.of("ioperm"),
                true, List.of(8080), List.of());
        List<String> v = strict.violations(SMALL, g);
        assertEquals(10, v.size(), v.toString());
        assertTrue(v.get(0).contains("memoryBytes 67108864 is above the ceiling of profile p"), v.get(0));
        assertTrue(v.stream().anyMatch(s -> s.contains("capability CAP_NET_RAW")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("host port 8080")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("[ioperm]")), v.toString());
    }

    @Test
    void grantsSurviveTheirMap() {
        AppGrants g = new AppGrants(Set.of("CAP_NET_RAW"), List.of("/dev/ttyUSB0"), true, List.of("data"), true, Set.of("ioperm"),
                true, List.of(8080), List.of("10.0.0.0/8:443/tcp"));
        assertEquals(g, AppGrants.fromMap(g.toMap()));
        assertEquals(AppGrants.NONE, AppGrants.fromMap(java.util.Map.of()));
    }
}
