package dev.edgeagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.NotifyListener;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.TestPki;
import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The package on a real machine, the way a device gets it: dpkg -i, edgeagent doctor, edgeagent provision against
 * a mutual-TLS mosquitto, the agent started as the unit's ExecStart with systemd's notify socket and watchdog (systemd
 * is not PID 1 here: this test plays its part), the demo deployed over the local socket, an agent restart the app
 * survives, then dpkg -r (state and app kept) and dpkg -P (everything gone). It must leave this machine as it found
 * it, pass or fail: whatever it made is purged in {@code finally}.
 */
class InstallIT {
    static final String DEVICE = "pkg-device";
    static final Path ETC = Path.of("/etc/edgeagent");
    static final Path STATE = Path.of("/var/lib/edgeagent");
    static final Path CACHE = Path.of("/var/cache/edgeagent");
    static final Path RUN = Path.of("/run/edgeagent");
    static final Path RUNC_STATE = RUN.resolve("runc");
    static final Path UNIT = Path.of("/usr/lib/systemd/system/edgeagent.service");

    Process agent;

    static boolean installed() throws Exception {
        Sh.Result r = Sh.run("dpkg-query", "-W", "-f=${Status}", "edgeagent");
        return r.exit() == 0 && !r.out().contains("not-installed");
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static List<String> containers() throws Exception {
        if (!Files.isDirectory(RUNC_STATE)) {
            return List.of();
        }
        String out = Sh.run(Tools.require("runc", "runc").toString(), "--root", RUNC_STATE.toString(), "list", "-q").out().strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    static String state(String container) throws Exception {
        return Sh.run(Tools.require("runc", "runc").toString(), "--root", RUNC_STATE.toString(), "state", container).ok("runc state").out();
    }

    /** The installed unit's ExecStart, run with the environment systemd gives a Type=notify service with a watchdog. */
    Process startLikeTheUnit(NotifyListener systemd, Path log) throws Exception {
        String execStart = Files.readAllLines(UNIT).stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
                .substring("ExecStart=".length());
        ProcessBuilder pb = new ProcessBuilder(Arrays.asList(execStart.split("\\s+"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("NOTIFY_SOCKET", systemd.name());
        pb.environment().put("WATCHDOG_USEC", "2000000");
        return pb.start();
    }

    void stopAgent() throws Exception {
        if (agent != null && agent.isAlive()) {
            agent.destroy(); // SIGTERM, as systemctl stop sends it (KillMode=process: to the agent alone)
            if (!agent.waitFor(60, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor();
            }
        }
        agent = null;
    }

    /** Gone, or a zombie nobody has reaped yet: either way no longer running. */
    static boolean ended(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (java.io.IOException e) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void installProvisionRunDeployRemoveAndPurge() throws Exception {
        Path deb = BuiltPackage.deb();
        // Never purge what this test did not install.
        assertFalse(installed(), "edgeagent is installed on this machine; this test installs and purges it for real: dpkg -P edgeagent first");
        for (Path p : List.of(ETC, STATE, RUN, CACHE)) {
            assertFalse(Files.exists(p), p + " exists on this machine; this test would purge it: move it away first");
        }
        Path work = Files.createTempDirectory("edgeagent-install-it");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        Mosquitto broker = null;
        Registry registry = null;
        try (NotifyListener systemd = NotifyListener.bind("@edgeagent-install-it-" + ProcessHandle.current().pid())) {
            Sh.run("dpkg", "-i", deb.toString()).ok("dpkg -i");
            assertTrue(installed());
            assertTrue(Files.isExecutable(Path.of("/usr/bin/edgeagent")) && Files.isExecutable(Path.of("/usr/bin/edgectl")));
            assertEquals("rwx------", mode(ETC));
            assertEquals("rwx--x--x", mode(STATE));
            try (var archives = Files.list(CACHE)) {
                assertEquals(1, archives.filter(f -> f.getFileName().toString().endsWith(".jsa")).count(),
                        "postinst made the class-data archive for this runtime");
            }
            // The maintainer scripts can run again: a reconfigure changes nothing.
            Sh.run("/var/lib/dpkg/info/edgeagent.postinst", "configure", "").ok("postinst configure, again");
            assertEquals("rwx------", mode(ETC));
            Sh.Result verify = Sh.run("systemd-analyze", "verify", UNIT.toString());
            assertEquals("", verify.err() + verify.out(), "systemd-analyze verify on the installed unit");
            assertEquals(0, verify.exit());

            Sh.Result doctor = Sh.run("/usr/bin/edgeagent", "doctor");
            assertEquals(0, doctor.exit(), doctor.out() + doctor.err());
            assertTrue(doctor.out().contains("this host can run edgeagent"), doctor.out());
            assertTrue(Sh.run("/usr/bin/edgectl", "--help").ok("edgectl --help").out().contains("edgectl"));

            TestPki pki = TestPki.create(Files.createDirectories(work.resolve("pki")));
            broker = Mosquitto.startMutualTls(Files.createDirectories(work.resolve("broker")), pki.ca(), pki.serverCert(), pki.serverKey());
            registry = Registry.start(Files.createDirectories(work.resolve("registry")));
            String image = registry.pushDemoImage(work.resolve("image"), "demo");

            // The owner's side, with the installed edgectl: keys, the trust document, the image's signature.
            Map<String, String> env = new HashMap<>(Map.of("EDGE_KEY_PASSWORD", "install-it-" + System.nanoTime()));
            Path keys = Files.createDirectories(work.resolve("keys"));
            Sh.run(List.of("/usr/bin/edgectl", "keygen", "--out", keys.resolve("root").toString()), env, 120).ok("keygen root");
            Sh.run(List.of("/usr/bin/edgectl", "keygen", "--out", keys.resolve("operator").toString()), env, 120).ok("keygen operator");
            Sh.run(List.of("/usr/bin/edgectl", "keygen", "--out", keys.resolve("build").toString(), "--type", "ed25519"), env, 120).ok("keygen build");
            Path trust = work.resolve("trust.json");
            Sh.run(List.of("/usr/bin/edgectl", "trust", "init", "--root-key", keys.resolve("root.key").toString(), "--operator",
                    keys.resolve("operator.pub").toString(), "--images", registry.host() + "/*=" + keys.resolve("build.pub"), "--reject", "*",
                    "--out", trust.toString()), env, 120).ok("trust init");
            Sh.run(List.of("/usr/bin/edgectl", "sign-image", image, "--key", keys.resolve("build.key").toString(), "--insecure"), env, 120)
                    .ok("sign-image");

            Sh.Result provision = Sh.run(List.of("/usr/bin/edgeagent", "provision", "--device-id", DEVICE, "--broker",
                    "ssl://127.0.0.1:" + broker.port(), "--ca", pki.ca().toString(), "--cert", pki.clientCert().toString(), "--key",
                    pki.clientKey().toString(), "--trust", trust.toString(), "--insecure-registry", registry.host()), Map.of(), 120)
                    .ok("edgeagent provision");
            assertTrue(provision.out().contains("wrote /etc/edgeagent/config.json"), provision.out());
            assertEquals("rw-------", mode(ETC.resolve("config.json")));

            Path log = work.resolve("agent.log");
            agent = startLikeTheUnit(systemd, log);
            systemd.await("READY=1", 90);
            systemd.await("WATCHDOG=1", 10);

            Sh.Result deploy = Sh.run(List.of("/usr/bin/edgectl", "deploy", "--local", "--app", "demo", "--image", image, "--memory", "64m",
                    "--pids", "64"), Map.of(), 180);
            assertEquals(0, deploy.exit(), deploy.out() + deploy.err() + Files.readString(log));
            List<String> running = containers();
            assertEquals(1, running.size(), running.toString());
            String container = running.get(0);
            long pid = ((Number) dev.edgeagent.protocol.wire.Json.object(state(container).getBytes()).get("pid")).longValue();
            // Why KillMode=process and Delegate=yes are safe: the app's cgroups are its own, not the agent's (the unit's).
            List<String> appCgroups = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
            List<String> agentCgroups = Files.readAllLines(Path.of("/proc/" + agent.pid() + "/cgroup"));
            assertTrue(appCgroups.stream().anyMatch(l -> l.contains(":/edgeagent/" + DEVICE + "/")), appCgroups.toString());
            assertTrue(agentCgroups.stream().noneMatch(l -> l.contains("/edgeagent/")), agentCgroups.toString());

            // systemctl restart: the agent goes, the app stays; the next agent adopts it.
            stopAgent();
            assertTrue(state(container).contains("\"status\": \"running\""), state(container));
            agent = startLikeTheUnit(systemd, log);
            systemd.await("READY=1", 90);
            Sh.Result ps = Sh.run(List.of("/usr/bin/edgectl", "ps", "--local"), Map.of(), 60).ok("edgectl ps --local");
            assertTrue(ps.out().lines().anyMatch(l -> l.startsWith("demo ") && l.contains("RUNNING")), ps.out());
            stopAgent();

            // dpkg -r: the programs go; configuration, state and the running app stay.
            Sh.run("dpkg", "-r", "edgeagent").ok("dpkg -r");
            assertFalse(Files.exists(Path.of("/usr/bin/edgeagent")));
            assertFalse(Files.exists(Path.of("/usr/share/edgeagent")));
            assertTrue(Files.exists(ETC.resolve("config.json")));
            assertTrue(Files.isDirectory(STATE.resolve("logs/demo")), "the app's data was not kept");
            assertTrue(state(container).contains("\"status\": \"running\""), "dpkg -r stopped the app");

            // dpkg -P: the app, its cgroups, state, configuration, runtime files and systemd's records of the unit.
            Sh.run("dpkg", "-P", "edgeagent").ok("dpkg -P");
            assertFalse(installed());
            for (Path p : List.of(ETC, STATE, RUN, CACHE)) {
                assertFalse(Files.exists(p), p + " is left after purge");
            }
            assertTrue(ended(pid), "the app still runs after purge");
            try (var cg = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path controller : cg.toList()) {
                    assertFalse(Files.exists(controller.resolve("edgeagent/" + DEVICE)), controller + "/edgeagent/" + DEVICE + " is left");
                }
            }
            for (String left : List.of("/etc/systemd/system/multi-user.target.wants/edgeagent.service",
                    "/var/lib/systemd/deb-systemd-helper-enabled/edgeagent.service", "/var/lib/systemd/deb-systemd-helper-masked/edgeagent.service",
                    "/etc/systemd/system/edgeagent.service")) {
                assertFalse(Files.exists(Path.of(left), java.nio.file.LinkOption.NOFOLLOW_LINKS), left + " is left after purge");
            }
            // Purging again (a purge that was interrupted and rerun) is fine.
            Path postrm = Tools.repoRoot().resolve("packaging/debian/postrm");
            Sh.run(postrm.toString(), "purge").ok("postrm purge, again");
        } finally {
            stopAgent();
            List<String> problems = new ArrayList<>();
            if (installed()) {
                Sh.Result r = Sh.run("dpkg", "-P", "edgeagent");
                if (r.exit() != 0) {
                    problems.add("dpkg -P edgeagent: " + r.err());
                }
            }
            for (String id : containers()) {
                Sh.run(Tools.require("runc", "runc").toString(), "--root", RUNC_STATE.toString(), "delete", "--force", id);
            }
            Sh.run("rm", "-rf", "--one-file-system", ETC.toString(), STATE.toString(), RUN.toString());
            for (AutoCloseable c : new AutoCloseable[] {broker, registry}) {
                if (c != null) {
                    c.close();
                }
            }
            Sh.run("rm", "-rf", "--one-file-system", work.toString());
            assertEquals(List.of(), problems);
        }
    }
}
