package dev.edgeagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/ensure-deps with stand-ins for apt-get and systemctl on PATH (the real ones would change this machine):
 * apt's output only when it fails, and the broker and registry services apt starts are stopped again.
 */
class EnsureDepsTest {
    static Sh.Result ensure(Path dir, String aptBody) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("apt-get"), "#!/bin/sh\n" + aptBody + "\n");
        Files.writeString(bin.resolve("systemctl"), "#!/bin/sh\necho \"$@\" >> " + dir.resolve("systemctl.log") + "\n");
        for (String f : List.of("apt-get", "systemctl")) {
            Files.setPosixFilePermissions(bin.resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(dir.resolve("run-systemd"));
        String script = ". " + Tools.repoRoot().resolve("scripts/ensure-deps") + "\n"
                + "EDGEAGENT_DEPS=(\"edgeagent-fake-broker:mosquitto\" \"edgeagent-fake-registry:docker-registry\")\n"
                + "edgeagent_ensure_deps\n";
        return Sh.run(List.of("bash", "-c", script), Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "EDGEAGENT_SYSTEMD_RUN", dir.resolve("run-systemd").toString()), 60);
    }

    @Test
    void aptsOutputStaysHiddenAndTheServicesItStartedAreStoppedAgain(@TempDir Path dir) throws Exception {
        Path bin = dir.resolve("bin");
        Sh.Result r = ensure(dir, "echo 'Reading package lists... APT NOISE'\n"
                + "case \"$1\" in install) for c in edgeagent-fake-broker edgeagent-fake-registry; do printf '#!/bin/sh\\n' > " + bin
                + "/$c; chmod +x " + bin + "/$c; done;; esac");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertFalse((r.err() + r.out()).contains("APT NOISE"), r.err());
        assertTrue(r.err().contains("installing with apt-get (its output is shown only if it fails): mosquitto docker-registry"), r.err());
        assertTrue(r.err().contains("stopped and disabled its system service mosquitto.service"), r.err());
        assertEquals(List.of("disable --now mosquitto.service", "disable --now docker-registry.service"),
                Files.readAllLines(dir.resolve("systemctl.log")));
    }

    @Test
    void aFailingAptShowsItsOutput(@TempDir Path dir) throws Exception {
        Sh.Result r = ensure(dir, "echo 'E: Unable to locate package APT NOISE' >&2; exit 100");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("E: Unable to locate package APT NOISE"), r.err());
        assertTrue(r.err().contains("apt-get failed (its output is above)"), r.err());
        assertFalse(Files.exists(dir.resolve("systemctl.log")));
    }
}
