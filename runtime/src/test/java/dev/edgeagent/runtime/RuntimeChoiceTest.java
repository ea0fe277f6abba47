package dev.edgeagent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.RuntimePreference;
import dev.edgeagent.runtime.host.CgroupMode;
import dev.edgeagent.runtime.host.RuntimeChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeChoiceTest {
    static final Optional<Path> RUNC = Optional.of(RuntimeChoice.RUNC);
    static final Optional<Path> CRUN = Optional.of(RuntimeChoice.CRUN);

    @Test
    void autoPrefersCrunUnlessTheHostIsHybrid() throws Exception {
        assertEquals(RuntimeChoice.CRUN, RuntimeChoice.choose(RuntimePreference.AUTO, Optional.empty(), RUNC, CRUN, CgroupMode.UNIFIED).binary());
        RuntimeChoice hybrid = RuntimeChoice.choose(RuntimePreference.AUTO, Optional.empty(), RUNC, CRUN, CgroupMode.HYBRID);
        assertEquals(RuntimeChoice.RUNC, hybrid.binary());
        assertTrue(hybrid.reason().contains("hybrid"), hybrid.reason());
        assertEquals(RuntimeChoice.RUNC, RuntimeChoice.choose(RuntimePreference.AUTO, Optional.empty(), RUNC, Optional.empty(),
                CgroupMode.UNIFIED).binary());
    }

    @Test
    void aProfileAskingForCrunOnAHybridHostFallsBackToRuncAndSaysSo() throws Exception {
        RuntimeChoice c = RuntimeChoice.choose(RuntimePreference.CRUN, Optional.empty(), RUNC, CRUN, CgroupMode.HYBRID);
        assertEquals(RuntimeChoice.RUNC, c.binary());
        assertTrue(c.reason().contains("asks for crun") && c.reason().contains("hybrid"), c.reason());
    }

    @Test
    void theConfigWinsAndMissingRuntimesSayWhatToInstall() throws Exception {
        Path custom = Path.of("/opt/runc");
        assertEquals(custom, RuntimeChoice.choose(RuntimePreference.CRUN, Optional.of(custom), RUNC, CRUN, CgroupMode.UNIFIED).binary());
        RuntimeChoice.NoRuntime none = assertThrows(RuntimeChoice.NoRuntime.class, () -> RuntimeChoice.choose(RuntimePreference.RUNC,
                Optional.empty(), Optional.empty(), CRUN, CgroupMode.UNIFIED));
        assertTrue(none.getMessage().contains("apt-get install runc"));
    }

    @Test
    void readsTheCgroupMode(@TempDir Path dir) throws Exception {
        assertEquals(CgroupMode.LEGACY, CgroupMode.of(dir));
        Files.createDirectories(dir.resolve("unified"));
        assertEquals(CgroupMode.HYBRID, CgroupMode.of(dir));
        Files.writeString(dir.resolve("cgroup.controllers"), "cpu memory pids");
        assertEquals(CgroupMode.UNIFIED, CgroupMode.of(dir));
    }
}
