package dev.edgeagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's self-update end to end, as a device runs it: the launcher (bin/edgeagent, installed as
 * /usr/bin/edgeagent) started the way the unit's ExecStart starts it, and a supervisor loop standing in for systemd's
 * {@code Restart=always} (systemd is not PID 1 here). Releases are pushed and signed with {@code edgectl
 * release-agent} and ordered with {@code edgectl update-agent}. The "new versions" are the agent's own jar with
 * another version marker, or with a main class that exits at once or never connects: no second build.
 */
class SelfUpdateIT {
    static final String PASSWORD = "self-update test password";
    static final int GRACE = 12;

    static Path work;
    static Mosquitto broker;
    static Registry registry;
    static Path operatorKey;
    static Path releaseKey;
    static Path passwordFile;
    static Path trustFile;
    static byte[] packagedJar;
    static String demo;

    Supervisor agent;
    Watcher watcher;
    String device;

    @BeforeAll
    static void start() throws Exception {
        Path jar = Tools.repoRoot().resolve("agent/target/edgeagent.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: build it first (mvn -pl agent -am package -DskipTests)");
        packagedJar = Files.readAllBytes(jar);
        Tools.require("runc", "runc");
        // not @TempDir: the agent's root needs every directory above it passable by others (o+x)
        work = Path.of(System.getProperty("java.io.tmpdir"), "edgeagent-selfupdate-" + ProcessHandle.current().pid());
        Trees.deleteRecursively(work);
        Files.createDirectories(work);
        broker = Mosquitto.start(Files.createDirectories(work.resolve("broker")));
        registry = Registry.start(Files.createDirectories(work.resolve("registry")));

        SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey operator = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey releaser = SigningKey.generate(KeyKind.ED25519);
        SigningKey builder = SigningKey.generate(KeyKind.ECDSA_P256);
        operatorKey = work.resolve("operator.key");
        releaseKey = work.resolve("agent-release.key");
        Files.writeString(operatorKey, KeyPem.encryptedPrivatePem(operator, PASSWORD.toCharArray()));
        Files.writeString(releaseKey, KeyPem.encryptedPrivatePem(releaser, PASSWORD.toCharArray()));
        passwordFile = work.resolve("password");
        Files.writeString(passwordFile, PASSWORD);
        Map<KeyId, VerificationKey> keys = Map.of(root.id(), root.publicKey(), operator.id(), operator.publicKey(), releaser.id(),
                releaser.publicKey(), builder.id(), builder.publicKey());
        TrustDocument trust = new TrustDocument(1, Instant.now(), keys, new Role(Set.of(root.id()), 1), new Role(Set.of(operator.id()), 1),
                List.of(new dev.edgeagent.security.sign.ImageRule(registry.host() + "/apps/*",
                        java.util.Optional.of(new Role(Set.of(builder.id()), 1))))).withAgent(new Role(Set.of(releaser.id()), 1));
        trustFile = work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, trust.toJson(), List.of(root)).toJson());
        demo = registry.pushDemoImage(work.resolve("demo"), "apps/demo");
        new dev.edgeagent.ota.sign.CosignPublisher(dev.edgeagent.ota.registry.RegistryClient.create(
                dev.edgeagent.ota.registry.TransportSettings.insecure(Set.of(registry.host())))).sign(
                dev.edgeagent.protocol.ImageRef.parse(demo), builder);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (registry != null) {
            registry.close();
        }
        // the launchers' grace watchdogs end by themselves within GRACE seconds and touch nothing once their trial is gone
        Thread.sleep((GRACE + 1) * 1000L);
        Trees.deleteRecursively(work);
    }

    @AfterEach
    void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        // a test that failed half way leaves no container behind (the agent is gone; runc removes its cgroup)
        Path state = device == null ? null : work.resolve(device).resolve("runc");
        if (state != null && Files.isDirectory(state)) {
            String runc = Tools.require("runc", "runc").toString();
            String ids = Tools.run(List.of(runc, "--root", state.toString(), "list", "-q"), 30).stdout().strip();
            for (String id : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
                Tools.run(List.of(runc, "--root", state.toString(), "delete", "-f", id), 30);
            }
        }
        // and the device's own (empty) cgroup parent, in every hierarchy (v1) or the one (v2)
        if (device != null) {
            List<Path> places = new ArrayList<>(List.of(Path.of("/sys/fs/cgroup/edgeagent", device)));
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                hierarchies.forEach(h -> places.add(h.resolve("edgeagent").resolve(device)));
            }
            for (Path p : places) {
                try {
                    Files.deleteIfExists(p); // rmdir: only an empty cgroup goes
                } catch (IOException e) {
                    // not empty or not a cgroup of ours: left alone
                }
            }
        }
    }

    /** A fresh device: its own root and configuration, its agent under the supervisor loop, connected at 0.1.0. */
    void device(String id) throws Exception {
        device = id;
        Path dir = Files.createDirectories(work.resolve(id));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("deviceId", id);
        config.put("broker", broker.uri());
        config.put("root", dir.resolve("root").toString());
        config.put("runtime", Tools.require("runc", "runc").toString());
        config.put("runtimeStateRoot", dir.resolve("runc").toString());
        config.put("localSocket", dir.resolve("edgeagent.sock").toString());
        config.put("insecureRegistries", List.of(registry.host()));
        config.put("trust", Map.of("document", trustFile.toString()));
        config.put("statusIntervalSeconds", 1);
        config.put("agentUpdateGraceSeconds", GRACE);
        Path file = dir.resolve("config.json");
        Files.write(file, Json.pretty(config));
        watcher = new Watcher(id);
        agent = new Supervisor(file, dir.resolve("agent.log"));
        watcher.awaitStatus(s -> "0.1.0".equals(agentOf(s).get("version")), Instant.now(), 60);
    }

    Path agentDir(String device) {
        return work.resolve(device).resolve("root").resolve("agent");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> agentOf(Map<String, Object> status) {
        return (Map<String, Object>) status.get("agent");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> lastUpdate(Map<String, Object> status) {
        return (Map<String, Object>) agentOf(status).getOrDefault("lastUpdate", Map.of());
    }

    // --- releases and orders, through edgectl -------------------------------------------------------------------

    /** The agent's jar saying it is {@code version}; with {@code mainClass}, started there instead of the agent. */
    static byte[] jar(String version, String mainClass) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarFile in = new JarFile(Tools.repoRoot().resolve("agent/target/edgeagent.jar").toFile());
                JarOutputStream out = new JarOutputStream(bytes, manifest(in.getManifest(), mainClass))) {
            for (JarEntry e : Collections.list(in.entries())) {
                if (e.getName().equals(JarFile.MANIFEST_NAME)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                if (e.getName().equals("dev/edgeagent/agent/version")) {
                    out.write((version + "\n").getBytes(StandardCharsets.US_ASCII));
                } else {
                    in.getInputStream(e).transferTo(out);
                }
                out.closeEntry();
            }
            if (mainClass != null && mainClass.equals(NeverConnects.class.getName())) {
                String name = NeverConnects.class.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                out.write(NeverConnects.class.getClassLoader().getResourceAsStream(name).readAllBytes());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static Manifest manifest(Manifest original, String mainClass) {
        Manifest m = new Manifest(original);
        if (mainClass != null) {
            m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        return m;
    }

    record Cli(int exit, String out, String err) {}

    static Cli edgectl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = dev.edgeagent.edgectl.Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Pushed and signed with {@code key} by edgectl release-agent; the reference pinned by digest. */
    static String release(String tag, byte[] jar, String version, Path key) throws IOException {
        Path file = work.resolve("release-" + tag + ".jar");
        Files.write(file, jar);
        Cli c = edgectl("release-agent", registry.host() + "/edgeagent/agent:" + tag, "--jar", file.toString(), "--version", version,
                "--key", key.toString(), "--password-file", passwordFile.toString(), "--insecure");
        assertEquals(0, c.exit(), c.err());
        String line = c.out().lines().filter(l -> l.contains(" released as ")).findFirst().orElseThrow();
        return line.substring(line.indexOf(" released as ") + " released as ".length()).strip();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> update(String device, String artifact, String version) throws IOException {
        Cli c = edgectl("update-agent", "--device", device, "--artifact", artifact, "--version", version, "--broker", broker.uri(),
                "--key", operatorKey.toString(), "--password-file", passwordFile.toString(), "--json", "--timeout", "60");
        assertTrue(c.exit() == 0 || c.exit() == 1, "edgectl update-agent: " + c.exit() + " " + c.err());
        return Json.object(c.out().strip().getBytes(StandardCharsets.UTF_8));
    }

    // --- the tests ------------------------------------------------------------------------------------------------

    @Test
    void aSignedNewerReleaseInstallsRestartsCommitsAndOnlyNewerOnesFollow() throws Exception {
        device("su-good");
        Cli deployed = edgectl("deploy", "--device", "su-good", "--app", "demo", "--image", demo, "--broker", broker.uri(), "--key",
                operatorKey.toString(), "--password-file", passwordFile.toString(), "--json", "--timeout", "120");
        assertEquals(0, deployed.exit(), deployed.out() + deployed.err());
        String container = appField(watcher.awaitStatus(s -> "RUNNING".equals(appField(s, "phase")), Instant.now().minusSeconds(1), 30),
                "container");
        String init = runcInit("su-good", container);
        String artifact = release("0.2.0", jar("0.2.0", null), "0.2.0", releaseKey);
        Instant sent = Instant.now();
        Map<String, Object> reply = update("su-good", artifact, "0.2.0");
        assertEquals(true, reply.get("ok"), reply.toString());
        assertEquals("0.2.0", ((Map<?, ?>) reply.get("result")).get("installing"));

        Map<String, Object> status = watcher.awaitStatus(s -> "0.2.0".equals(agentOf(s).get("version"))
                && "committed".equals(lastUpdate(s).get("outcome")), sent, 60);
        assertEquals("0.2.0", lastUpdate(status).get("version"));
        assertTrue(watcher.sawEvent("agent.update.committed", sent), "the committed event");
        assertEquals("0.2.0", Files.readString(agentDir("su-good").resolve("highest")).strip());
        assertFalse(Files.exists(agentDir("su-good").resolve("trial")));
        assertEquals(2, agent.starts(), "one restart into the new release: " + agent.exits());
        assertEquals(List.of(75), agent.exits(), "the agent exits 75 to be restarted into the release");
        assertEquals("RUNNING", appField(status, "phase"), "the app ran throughout: " + status);
        assertEquals(container, appField(status, "container"));
        assertEquals(init, runcInit("su-good", container), "the same container process, never restarted");

        // an older release, however well signed, is never installed (anti-rollback), nor the running one again
        String older = release("0.1.5", jar("0.1.5", null), "0.1.5", releaseKey);
        Map<String, Object> refused = update("su-good", older, "0.1.5");
        assertEquals("REPLAYED", refused.get("code"), refused.toString());
        assertEquals(true, update("su-good", artifact, "0.2.0").get("ok"), "the running version again: nothing to do");
        Thread.sleep(1500);
        assertEquals(2, agent.starts(), "neither order restarted the agent");
        Cli removed = edgectl("remove", "--device", "su-good", "--app", "demo", "--broker", broker.uri(), "--key", operatorKey.toString(),
                "--password-file", passwordFile.toString());
        assertEquals(0, removed.exit(), removed.err());
    }

    @Test
    void aDesiredStateNamingAnAgentReleaseInstallsItLikeTheOrder() throws Exception {
        device("su-desired");
        String artifact = release("0.7.0", jar("0.7.0", null), "0.7.0", releaseKey);
        Path state = work.resolve("su-desired").resolve("state.json");
        Files.writeString(state, "{\"apps\": [], \"agent\": {\"artifact\": \"" + artifact + "\", \"version\": \"0.7.0\"}}");
        Instant sent = Instant.now();
        Cli set = edgectl("desired", "set", "--device", "su-desired", "--file", state.toString(), "--version", "1", "--broker",
                broker.uri(), "--key", operatorKey.toString(), "--password-file", passwordFile.toString());
        assertEquals(0, set.exit(), set.err());

        Map<String, Object> status = watcher.awaitStatus(s -> "0.7.0".equals(agentOf(s).get("version"))
                && "committed".equals(lastUpdate(s).get("outcome")), sent, 60);
        assertEquals(true, ((Map<?, ?>) status.get("desired")).get("applied"), status.toString());
        Thread.sleep(1500);
        assertEquals(2, agent.starts(), "the retained document, delivered again to the new release, changes nothing: " + agent.exits());
    }

    @SuppressWarnings("unchecked")
    static String appField(Map<String, Object> status, String field) {
        Object app = ((Map<String, Object>) status.getOrDefault("apps", Map.of())).get("demo");
        return app == null ? null : String.valueOf(((Map<String, Object>) app).get(field));
    }

    /** The pid of the container's init, as runc knows it. */
    String runcInit(String device, String container) throws Exception {
        String state = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root", work.resolve(device).resolve("runc").toString(),
                "state", container), 30).orThrow("runc state").stdout();
        Map<String, Object> m = Json.object(state.getBytes(StandardCharsets.UTF_8));
        assertEquals("running", m.get("status"), state);
        return String.valueOf(m.get("pid"));
    }

    @Test
    void aReleaseThatExitsAtStartIsRolledBackByTheLauncher() throws Exception {
        device("su-exit");
        String artifact = release("0.3.0-exits", jar("0.3.0", "dev.edgeagent.NoSuchMain"), "0.3.0", releaseKey);
        Instant sent = Instant.now();
        assertEquals(true, update("su-exit", artifact, "0.3.0").get("ok"));

        Map<String, Object> status = watcher.awaitStatus(s -> "rolled-back".equals(lastUpdate(s).get("outcome")), sent, 60);
        assertEquals("0.1.0", agentOf(status).get("version"));
        assertEquals("0.3.0", lastUpdate(status).get("version"));
        assertTrue(watcher.sawEvent("agent.update.rolled-back", sent));
        assertTrue(Files.exists(agentDir("su-exit").resolve("failed/0.3.0")), "the failed trial is kept");
        assertFalse(Files.exists(agentDir("su-exit").resolve("current")), "back on the packaged jar");
        assertFalse(Files.exists(agentDir("su-exit").resolve("highest")), "nothing was committed");
        assertEquals(List.of(75, 1), agent.exits().subList(0, 2), "installed (75), then the release's JVM failed (1)");
    }

    @Test
    void aReleaseThatStartsButNeverConnectsIsStoppedAfterTheGracePeriodAndRolledBack() throws Exception {
        device("su-hang");
        String artifact = release("0.4.0-hangs", jar("0.4.0", NeverConnects.class.getName()), "0.4.0", releaseKey);
        Instant sent = Instant.now();
        assertEquals(true, update("su-hang", artifact, "0.4.0").get("ok"));

        Map<String, Object> status = watcher.awaitStatus(s -> "rolled-back".equals(lastUpdate(s).get("outcome")), sent, 60);
        assertEquals("0.1.0", agentOf(status).get("version"));
        assertTrue(String.valueOf(lastUpdate(status).get("reason")).contains("grace period of " + GRACE + " s"), status.toString());
        long took = Duration.between(sent, Instant.now()).toSeconds();
        assertTrue(took >= GRACE, "not before the grace period: " + took + " s");
    }

    @Test
    void anUnsignedOrWronglySignedReleaseIsRefusedAndNothingChanges() throws Exception {
        device("su-unsigned");
        String unsigned = dev.edgeagent.edgectl.UnsignedRelease.push(registry.host(), "edgeagent/agent:0.5.0-unsigned", "0.5.0",
                jar("0.5.0", null));
        Map<String, Object> r1 = update("su-unsigned", unsigned, "0.5.0");
        assertEquals("UPDATE_NOT_TRUSTED", r1.get("code"), r1.toString());
        assertTrue(String.valueOf(r1.get("message")).contains("not signed"), r1.toString());

        // signed, but by the operator's key: operators order updates, only the agent role vouches for the code
        String byOperator = release("0.5.0-operator", jar("0.5.0", null), "0.5.0", operatorKey);
        Map<String, Object> r2 = update("su-unsigned", byOperator, "0.5.0");
        assertEquals("UPDATE_NOT_TRUSTED", r2.get("code"), r2.toString());

        Thread.sleep(1500);
        assertEquals(1, agent.starts(), "the agent was never restarted");
        assertFalse(Files.exists(agentDir("su-unsigned").resolve("0.5.0")), "nothing was installed");
        assertFalse(Files.exists(agentDir("su-unsigned").resolve("trial")));
    }

    @Test
    void killedWithSigkillAtRandomMomentsOfUpdatesAnAgentAlwaysConnectsAfterwards() throws Exception {
        device("su-kill");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> versions = new ArrayList<>(List.of("0.1.0"));
        for (int i = 0; i < 4; i++) {
            String version = "0.6." + i;
            String artifact = release(version + "-kill", jar(version, null), version, releaseKey);
            versions.add(version);
            CompletableFuture<Map<String, Object>> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return update("su-kill", artifact, version);
                } catch (IOException e) {
                    return Map.of();
                }
            });
            long delay = random.nextInt(4000);
            Thread.sleep(delay);
            Instant killed = Instant.now();
            long pid = agent.killNow();
            String where = "round " + i + " (seed " + seed + ", SIGKILL to " + pid + " after " + delay + " ms)";
            // whatever the update was doing: an agent connects and publishes its status again, and the update settles
            watcher.awaitStatus(s -> versions.contains(String.valueOf(agentOf(s).get("version"))), killed.plusMillis(300), 90);
            awaitNoTrial("su-kill", 90, where);
            Map<String, Object> settled = watcher.awaitStatus(s -> true, Instant.now().plusMillis(200), 30);
            assertTrue(versions.contains(String.valueOf(agentOf(settled).get("version"))), where + ": " + settled);
            reply.get(90, TimeUnit.SECONDS);
        }
    }

    void awaitNoTrial(String device, int seconds, String where) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (Files.exists(agentDir(device).resolve("trial"))) {
            assertTrue(System.currentTimeMillis() < deadline, where + ": a trial is still pending after " + seconds + " s");
            Thread.sleep(200);
        }
    }

    // --- the stand-in for systemd and the operator's view ---------------------------------------------------------

    /** Runs the unit's ExecStart (the launcher) and starts it again whenever it ends, as Restart=always does. */
    static final class Supervisor implements AutoCloseable {
        private final Thread loop;
        private final List<Integer> exits = Collections.synchronizedList(new ArrayList<>());
        private volatile Process current;
        private volatile boolean stopping;
        private volatile int starts;

        Supervisor(Path config, Path log) {
            loop = new Thread(() -> {
                while (!stopping) {
                    try {
                        ProcessBuilder pb = new ProcessBuilder(Tools.repoRoot().resolve("bin/edgeagent").toString(), "run", "--config",
                                config.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                        synchronized (this) {
                            if (stopping) {
                                return;
                            }
                            current = pb.start();
                            starts++;
                        }
                        int exit = current.waitFor();
                        if (!stopping) {
                            exits.add(exit);
                        }
                        Thread.sleep(300); // RestartSec, shortened
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "supervisor");
            loop.start();
        }

        int starts() {
            return starts;
        }

        List<Integer> exits() {
            return List.copyOf(exits);
        }

        /** SIGKILL to whatever the unit's main process is now (the launcher, or the JVM it became). */
        long killNow() {
            Process p = current;
            p.destroyForcibly();
            return p.pid();
        }

        @Override
        public void close() throws Exception {
            synchronized (this) {
                stopping = true;
            }
            Process p = current;
            if (p != null) {
                p.destroy(); // SIGTERM, as systemctl stop
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
            loop.interrupt();
            loop.join(10_000);
        }
    }

    /** The device's status and events as an operator's client sees them. */
    static final class Watcher implements AutoCloseable {
        record Message(Instant at, Map<String, Object> json) {}

        private final MqttClient client;
        private final List<Message> statuses = Collections.synchronizedList(new ArrayList<>());
        private final List<Message> events = Collections.synchronizedList(new ArrayList<>());

        Watcher(String device) throws Exception {
            client = new MqttClient(broker.uri(), "watch-" + device, new MemoryPersistence());
            client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) throws Exception {
                    if (m.getPayload().length > 0) {
                        (topic.endsWith("/status") ? statuses : events).add(new Message(Instant.now(), Json.object(m.getPayload())));
                    }
                }

                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {}

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {}

                @Override
                public void connectComplete(boolean reconnect, String uri) {}

                @Override
                public void authPacketArrived(int reason, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
            });
            client.connect();
            client.subscribe("edge/" + device + "/status", 1);
            client.subscribe("edge/" + device + "/events", 1);
        }

        /** The first status received after {@code since} that {@code test} accepts. */
        Map<String, Object> awaitStatus(Predicate<Map<String, Object>> test, Instant since, int seconds) throws InterruptedException {
            long deadline = System.currentTimeMillis() + seconds * 1000L;
            while (true) {
                synchronized (statuses) {
                    for (Message m : statuses) {
                        if (m.at().isAfter(since) && test.test(m.json())) {
                            return m.json();
                        }
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    synchronized (statuses) {
                        throw new AssertionError("no such status within " + seconds + " s; the last: "
                                + (statuses.isEmpty() ? "none" : statuses.get(statuses.size() - 1).json()));
                    }
                }
                Thread.sleep(100);
            }
        }

        boolean sawEvent(String type, Instant since) {
            synchronized (events) {
                return events.stream().anyMatch(m -> m.at().isAfter(since) && type.equals(m.json().get("type")));
            }
        }

        @Override
        public void close() throws Exception {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
