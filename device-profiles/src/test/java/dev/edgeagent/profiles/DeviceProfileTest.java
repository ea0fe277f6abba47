package dev.edgeagent.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeviceProfileTest {
    private static AppRequest asking(Set<String> caps, List<String> devices, boolean hostNetwork, List<String> volumes) {
        return new AppRequest(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), caps, devices, hostNetwork, volumes, false);
    }

    @Test
    void builtInProfilesLoad() throws IOException {
        for (String name : DeviceProfiles.BUILTIN) {
            assertEquals(name, DeviceProfiles.builtin(name).name());
        }
        DeviceProfile pi = DeviceProfiles.builtin("raspberry-pi-4");
        assertEquals(Platform.parse("linux/arm64"), pi.platform());
        assertTrue(pi.grants().device("/dev/i2c-1").isPresent());
        assertEquals(Platform.parse("linux/arm/v7"), DeviceProfiles.builtin("small-arm-512").platform());
        DeviceProfile strict = DeviceProfiles.builtin("internet-exposed-strict");
        assertEquals(Grants.NONE, strict.grants());
        assertTrue(strict.ceilings().memoryBytes() <= 512L << 20);
    }

    @Test
    void anAppGetsTheDefaultsOrWhatItAsksWithinTheCeilings() throws Exception {
        DeviceProfile p = DeviceProfiles.builtin("generic-x86_64");
        assertEquals(p.defaults(), p.limitsFor(AppRequest.DEFAULTS));
        assertEquals(new ResourceLimits(64L << 20, 10, 500), p.limitsFor(new AppRequest(OptionalLong.of(64L << 20), OptionalLong.of(10),
                OptionalLong.of(500), Set.of(), List.of(), false, List.of(), false)));
        CeilingExceeded e = assertThrows(CeilingExceeded.class, () -> p.limitsFor(new AppRequest(OptionalLong.of(1L << 40),
                OptionalLong.empty(), OptionalLong.empty(), Set.of(), List.of(), false, List.of(), false)));
        assertTrue(e.getMessage().contains("ceilings.memoryBytes"), e.getMessage());
        e = assertThrows(CeilingExceeded.class, () -> p.limitsFor(new AppRequest(OptionalLong.empty(), OptionalLong.of(1_000_000),
                OptionalLong.empty(), Set.of(), List.of(), false, List.of(), false)));
        assertTrue(e.getMessage().contains("ceilings.pids"), e.getMessage());
        e = assertThrows(CeilingExceeded.class, () -> p.limitsFor(new AppRequest(OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.of(8000), Set.of(), List.of(), false, List.of(), false)));
        assertTrue(e.getMessage().contains("ceilings.cpus = 4.0"), e.getMessage());
    }

    @Test
    void onlyWhatTheProfileGrantsIsAdmitted() throws Exception {
        DeviceProfile gw = DeviceProfiles.builtin("generic-x86_64");
        Admission a = gw.admit(asking(Set.of("CAP_NET_BIND_SERVICE"), List.of(), true, List.of("data")));
        assertEquals(Set.of("CAP_NET_BIND_SERVICE"), a.capabilities());
        assertTrue(a.hostNetwork());
        NotGranted cap = assertThrows(NotGranted.class, () -> gw.admit(asking(Set.of("CAP_SYS_ADMIN"), List.of(), false, List.of())));
        assertTrue(cap.getMessage().contains("CAP_SYS_ADMIN") && cap.getMessage().contains("grants.capabilities"), cap.getMessage());
        NotGranted dev = assertThrows(NotGranted.class, () -> gw.admit(asking(Set.of(), List.of("/dev/sda"), false, List.of())));
        assertTrue(dev.getMessage().contains("/dev/sda"), dev.getMessage());

        DeviceProfile strict = DeviceProfiles.builtin("internet-exposed-strict");
        assertTrue(assertThrows(NotGranted.class, () -> strict.admit(asking(Set.of(), List.of(), true, List.of())))
                .getMessage().contains("grants.hostNetwork"));
        assertTrue(assertThrows(NotGranted.class, () -> strict.admit(asking(Set.of(), List.of(), false, List.of("data"))))
                .getMessage().contains("grants.volumes"));
        Admission none = strict.admit(AppRequest.DEFAULTS);
        assertTrue(none.capabilities().isEmpty() && none.devices().isEmpty() && !none.hostNetwork());

        DeviceProfile pi = DeviceProfiles.builtin("raspberry-pi-4");
        assertEquals(89, pi.admit(asking(Set.of(), List.of("/dev/i2c-1"), false, List.of())).devices().get(0).major());
        assertFalse(pi.admit(AppRequest.DEFAULTS).hostNetwork());
    }

    private static IOException invalid(String json) {
        return assertThrows(IOException.class, () -> DeviceProfiles.parse(json.getBytes(StandardCharsets.UTF_8), "test.json"));
    }

    @Test
    void validationErrorsNameTheField() {
        String base = "\"name\":\"x\",\"platform\":\"linux/amd64\",";
        assertTrue(invalid("{" + base + "\"defaults\":{\"memoryBytes\":\"lots\",\"pids\":1,\"cpus\":1},"
                + "\"ceilings\":{\"memoryBytes\":1,\"pids\":1,\"cpus\":1,\"storageBytes\":1}}").getMessage().contains("defaults.memoryBytes"));
        assertTrue(invalid("{" + base + "\"defaults\":{\"memoryBytes\":134217728,\"pids\":1000,\"cpus\":1},"
                + "\"ceilings\":{\"memoryBytes\":134217728,\"pids\":10,\"cpus\":1,\"storageBytes\":1073741824}}").getMessage()
                .contains("defaults.pids is above ceilings.pids"));
        assertTrue(invalid("{" + base + "\"defaults\":{\"memoryBytes\":134217728,\"pids\":1,\"cpus\":1},"
                + "\"ceilings\":{\"memoryBytes\":134217728,\"pids\":10,\"cpus\":1,\"storageBytes\":1073741824},"
                + "\"grants\":{\"capabilities\":[\"CAP_EVERYTHING\"]}}").getMessage().contains("grants.capabilities"));
        assertTrue(invalid("{" + base + "\"defaults\":{\"memoryBytes\":134217728,\"pids\":1,\"cpus\":1},"
                + "\"ceilings\":{\"memoryBytes\":134217728,\"pids\":10,\"cpus\":1,\"storageBytes\":1073741824},"
                + "\"grants\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"z\",\"major\":1,\"minor\":1}]}}").getMessage()
                .contains("grants.devices[0].type"));
        assertTrue(invalid("{" + base + "\"runtime\":\"docker\",\"defaults\":{},\"ceilings\":{}}").getMessage().contains("runtime"));
        assertTrue(invalid("{" + base + "\"colour\":\"blue\"}").getMessage().contains("unknown field 'colour'"));
        assertThrows(IOException.class, () -> DeviceProfiles.builtin("toaster"));
    }
}
