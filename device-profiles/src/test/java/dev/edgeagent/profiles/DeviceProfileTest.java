package dev.edgeagent.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DeviceProfileTest {
    @Test
    void builtInProfilesLoad() throws IOException {
        for (String name : DeviceProfiles.BUILTIN) {
            assertEquals(name, DeviceProfiles.builtin(name).name());
        }
        assertEquals(Platform.parse("linux/arm64"), DeviceProfiles.builtin("raspberry-pi-4").platform());
    }

    @Test
    void anAppGetsTheDefaultsOrWhatItAsksWithinTheCeilings() throws Exception {
        DeviceProfile p = DeviceProfiles.builtin("generic-x86_64");
        assertEquals(p.defaults(), p.limitsFor(OptionalLong.empty(), OptionalLong.empty()));
        assertEquals(new ResourceLimits(64L << 20, 10), p.limitsFor(OptionalLong.of(64L << 20), OptionalLong.of(10)));
        CeilingExceeded e = assertThrows(CeilingExceeded.class, () -> p.limitsFor(OptionalLong.of(1L << 40), OptionalLong.empty()));
        assertTrue(e.getMessage().contains("ceilings.memoryBytes"), e.getMessage());
        e = assertThrows(CeilingExceeded.class, () -> p.limitsFor(OptionalLong.empty(), OptionalLong.of(1_000_000)));
        assertTrue(e.getMessage().contains("ceilings.pids"), e.getMessage());
    }

    @Test
    void validationErrorsNameTheField() {
        IOException e = assertThrows(IOException.class, () -> DeviceProfiles.parse("""
                {"name":"x","platform":"linux/amd64","defaults":{"memoryBytes":"lots","pids":1},
                 "ceilings":{"memoryBytes":1,"pids":1}}""".getBytes(StandardCharsets.UTF_8), "test.json"));
        assertTrue(e.getMessage().contains("defaults.memoryBytes"), e.getMessage());
        e = assertThrows(IOException.class, () -> DeviceProfiles.parse("""
                {"name":"x","platform":"linux/amd64","defaults":{"memoryBytes":134217728,"pids":1000},
                 "ceilings":{"memoryBytes":134217728,"pids":10}}""".getBytes(StandardCharsets.UTF_8), "test.json"));
        assertTrue(e.getMessage().contains("defaults.pids is above ceilings.pids"), e.getMessage());
        assertThrows(IOException.class, () -> DeviceProfiles.builtin("toaster"));
    }
}
