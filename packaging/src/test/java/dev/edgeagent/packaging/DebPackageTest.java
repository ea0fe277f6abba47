package dev.edgeagent.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What bin/package puts in the .deb, read back with dpkg-deb, and its systemd unit checked by systemd-analyze. */
class DebPackageTest {
    static Map<String, String> contents() throws Exception {
        // "-rwxr-xr-x root/root 815 2026-12-02 02:00 ./usr/bin/edgeagent" -> path: mode owner
        return Sh.run("dpkg-deb", "-c", BuiltPackage.deb().toString()).ok("dpkg-deb -c").out().lines()
                .map(l -> l.split("\\s+"))
                .collect(Collectors.toMap(f -> f[5].substring(1), f -> f[0] + " " + f[1]));
    }

    @Test
    void installsTheLaunchersJarsAndUnitOwnedByRoot() throws Exception {
        Map<String, String> c = contents();
        assertEquals("-rwxr-xr-x root/root", c.get("/usr/bin/edgeagent"));
        assertEquals("-rwxr-xr-x root/root", c.get("/usr/bin/edgectl"));
        assertEquals("-rw-r--r-- root/root", c.get("/usr/share/edgeagent/edgeagent.jar"));
        assertEquals("-rw-r--r-- root/root", c.get("/usr/share/edgeagent/edgectl.jar"));
        assertEquals("-rw-r--r-- root/root", c.get("/usr/share/edgeagent/edgeagent.classlist"), "the class list postinst archives");
        assertEquals("-rw-r--r-- root/root", c.get("/usr/lib/systemd/system/edgeagent.service"));
        // Made by postinst and removed only by purge, so dpkg -r never complains about, or touches, what is in them.
        assertTrue(c.keySet().stream().noneMatch(p -> p.startsWith("/etc/") || p.startsWith("/var/")), c.toString());
    }

    @Test
    void controlNamesTheVersionTheAgentReportsAndItsDependencies() throws Exception {
        Path deb = BuiltPackage.deb();
        String version = Sh.run("java", "-jar", Tools.repoRoot().resolve("agent/target/edgeagent.jar").toString(), "version")
                .ok("edgeagent version").out().strip().split(" ")[1];
        assertEquals("edgeagent_" + version + "_all.deb", deb.getFileName().toString());
        String control = Sh.run("dpkg-deb", "-f", deb.toString()).ok("dpkg-deb -f").out();
        assertTrue(control.contains("Package: edgeagent\n"), control);
        assertTrue(control.contains("Version: " + version + "\n"), control);
        assertTrue(control.contains("Architecture: all\n"), control);
        assertTrue(control.contains("Depends: default-jre-headless (>= 2:1.17) | openjdk-17-jre-headless"), control);
        assertTrue(control.contains(", runc | crun\n"), control);
    }

    @Test
    void theInstalledLaunchersAreTheCheckoutsOwnSoJvmFlagsLiveInOnePlace(@TempDir Path root) throws Exception {
        Sh.run("dpkg-deb", "-x", BuiltPackage.deb().toString(), root.toString()).ok("dpkg-deb -x");
        for (String tool : List.of("edgeagent", "edgectl")) {
            assertArrayEquals(Files.readAllBytes(Tools.repoRoot().resolve("bin/" + tool)), Files.readAllBytes(root.resolve("usr/bin/" + tool)), tool);
        }
        // The installed launcher finds its jar under /usr/share/edgeagent, relative to itself.
        Sh.Result help = Sh.run(root.resolve("usr/bin/edgeagent").toString(), "--help").ok("edgeagent --help from the package");
        assertTrue(help.out().startsWith("usage: edgeagent run"), help.out());
    }

    @Test
    void maintainerScriptsAreValidShell(@TempDir Path dir) throws Exception {
        Sh.run("dpkg-deb", "-e", BuiltPackage.deb().toString(), dir.toString()).ok("dpkg-deb -e");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertTrue(Files.isExecutable(dir.resolve(script)), script);
            Sh.run("sh", "-n", dir.resolve(script).toString()).ok("sh -n " + script);
        }
    }

    /** A root holding the package's files and the host's own units (the targets the unit refers to). */
    static Path unitRoot(Path root) throws Exception {
        Sh.run("dpkg-deb", "-x", BuiltPackage.deb().toString(), root.toString()).ok("dpkg-deb -x");
        Path units = root.resolve("usr/lib/systemd/system");
        try (Stream<Path> host = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path u : host.filter(p -> p.toString().endsWith(".target") || p.toString().endsWith(".socket")
                    || p.toString().endsWith(".service")).toList()) {
                if (!Files.exists(units.resolve(u.getFileName())) && !Files.isSymbolicLink(u)) {
                    Files.copy(u, units.resolve(u.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return root;
    }

    static Sh.Result verify(Path root) throws Exception {
        return Sh.run(Tools.require("systemd-analyze", "systemd").toString(), "verify", "--root=" + root, "edgeagent.service");
    }

    @Test
    void systemdAnalyzeVerifiesTheUnitCleanly(@TempDir Path dir) throws Exception {
        Path root = unitRoot(dir);
        Sh.Result r = verify(root);
        assertEquals(0, r.exit(), r.err() + r.out());
        assertEquals("", r.err() + r.out());
        // The check has teeth: a misspelt option is reported, and so is a launcher the package does not ship.
        Path unit = root.resolve("usr/lib/systemd/system/edgeagent.service");
        String good = Files.readString(unit);
        Files.writeString(unit, good.replace("ProtectHome=yes", "ProtectHome=maybe"));
        assertTrue(verify(root).err().contains("Failed to parse protect home value"), "a bad option went unreported");
        Files.writeString(unit, good);
        Files.delete(root.resolve("usr/bin/edgeagent"));
        assertTrue(verify(root).exit() != 0, "a missing ExecStart binary went unreported");
    }

    @Test
    void theUnitRestartsTheAgentWithoutTouchingTheApps() throws Exception {
        String unit = Files.readString(Tools.repoRoot().resolve("packaging/systemd/edgeagent.service"));
        List<String> lines = unit.lines().map(String::strip).toList();
        for (String setting : List.of("Type=notify", "NotifyAccess=main", "Restart=always", "KillMode=process", "Delegate=yes",
                "ExecStart=/usr/bin/edgeagent run --config /etc/edgeagent/config.json", "ConditionPathExists=/etc/edgeagent/config.json",
                "NoNewPrivileges=yes")) {
            assertTrue(lines.contains(setting), setting + " is missing from the unit");
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("WatchdogSec=")), "no WatchdogSec");
    }
}
