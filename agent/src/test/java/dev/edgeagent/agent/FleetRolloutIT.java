package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.edgectl.Main;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fifty agents, one real broker and registry, and {@code edgectl rollout}: a bad release (signed, but it exits at
 * once) is caught in the canary wave, the canaries run the old release again by themselves, and no other device is
 * touched; a good release then reaches all fifty wave by wave.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetRolloutIT {
    static final int FLEET = 50;
    static final String GROUP = "fleet";
    static final String PASSWORD = "fleet test password";

    static Path work;
    static Mosquitto broker;
    static Registry registry;
    static final List<Agent> agents = new ArrayList<>();
    static final List<String> devices = new ArrayList<>();
    static final Map<String, Map<String, Object>> statuses = new ConcurrentHashMap<>();
    static MqttClient watcher;
    static SigningKey operator;
    static Path operatorKey;
    static String good;
    static String bad;

    @BeforeAll
    static void start() throws Exception {
        long userns = Long.parseLong(dev.edgeagent.security.fs.KernelFiles.read(Path.of("/proc/sys/user/max_user_namespaces")).strip());
        assertTrue(userns >= FLEET + 10, "this host allows " + userns + " user namespaces; fifty containers need more: "
                + "sysctl -w user.max_user_namespaces=15000");
        Path runc = Tools.require("runc", "runc");
        work = Path.of(System.getProperty("java.io.tmpdir"), "edgeagent-fleet-" + ProcessHandle.current().pid());
        Trees.deleteRecursively(work);
        Files.createDirectories(work);
        broker = Mosquitto.start(Files.createDirectories(work.resolve("broker")));
        registry = Registry.start(Files.createDirectories(work.resolve("registry")));

        SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
        operator = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey builder = SigningKey.generate(KeyKind.ED25519);
        operatorKey = work.resolve("operator.key");
        Files.writeString(operatorKey, KeyPem.encryptedPrivatePem(operator, PASSWORD.toCharArray()));
        Files.writeString(work.resolve("password"), PASSWORD);
        Map<KeyId, VerificationKey> keys = Map.of(root.id(), root.publicKey(), operator.id(), operator.publicKey(), builder.id(), builder.publicKey());
        TrustDocument trust = new TrustDocument(1, Instant.now(), keys, new Role(Set.of(root.id()), 1), new Role(Set.of(operator.id()), 1),
                List.of(new ImageRule(registry.host() + "/*", Optional.of(new Role(Set.of(builder.id()), 1)))));
        Path trustFile = work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, trust.toJson(), List.of(root)).toJson());

        good = registry.pushDemoImage(work.resolve("good"), "svc");
        bad = TestImages.push(work, registry, "svc-bad", List.of("/bin/sh", "-c", "echo 'bad release'; exit 3"), null);
        CosignPublisher publisher = new CosignPublisher(RegistryClient.create(TransportSettings.insecure(Set.of(registry.host()))));
        publisher.sign(ImageRef.parse(good), builder);
        publisher.sign(ImageRef.parse(bad), builder);

        watcher = new MqttClient(broker.uri(), "fleet-watcher", new MemoryPersistence());
        watcher.setCallback((OnMessage) (topic, message) -> statuses.put(topic.split("/")[1], Json.object(message.getPayload())));
        watcher.connect();
        watcher.subscribe("edge/+/status", 1);

        for (int i = 0; i < FLEET; i++) {
            String device = String.format("fleet-%02d", i);
            Path dir = work.resolve(device);
            AgentConfig config = AgentConfig.of(new DeviceId(device), URI.create(broker.uri()), dir.resolve("root"), runc, dir.resolve("runc"),
                    Set.of(registry.host())).withTrust(new AgentConfig.Trust(Optional.of(trustFile), false)).withGroups(List.of(GROUP));
            agents.add(Agent.start(config));
            devices.add(device);
        }
        // Where the fleet starts: every device runs the good release, from the group's document.
        publishGroup(1, good, 64);
        awaitAll(1, "group:" + GROUP, Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Agent a : agents) {
            a.close();
        }
        if (watcher != null && watcher.isConnected()) {
            watcher.disconnect();
        }
        Path runc = Tools.require("runc", "runc");
        for (String d : devices) {
            Path state = work.resolve(d).resolve("runc");
            String ids = Tools.run(List.of(runc.toString(), "--root", state.toString(), "list", "-q"), 30).stdout().strip();
            for (String id : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
                Tools.run(List.of(runc.toString(), "--root", state.toString(), "delete", "--force", id), 30);
            }
            AgentFixture.removeCgroupParents(d);
        }
        for (AutoCloseable c : new AutoCloseable[] {registry, broker}) {
            if (c != null) {
                c.close();
            }
        }
        Trees.deleteRecursively(work);
    }

    static String apps(String image, long memory, int grace) {
        return "[{\"app\":\"svc\",\"image\":\"" + image + "\",\"resources\":{\"memoryBytes\":" + (memory << 20)
                + "},\"restart\":\"on-failure\",\"health\":{\"graceSeconds\":" + grace + "}}]";
    }

    static void publishGroup(long version, String image, long memory) throws Exception {
        String doc = "{\"version\":" + version + ",\"target\":\"group:" + GROUP + "\",\"apps\":" + apps(image, memory, 0) + "}";
        Instant now = Instant.now();
        byte[] env = new SignedOrder("group:" + GROUP, "desired", now, now.plus(Duration.ofDays(1)), 1, doc.getBytes(StandardCharsets.UTF_8))
                .signWith(List.of(operator)).toJson();
        watcher.publish("edge/group/" + GROUP + "/desired", new MqttMessage(env, 1, true, null));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> desired(String device) {
        Object d = statuses.getOrDefault(device, Map.of()).get("desired");
        return d instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> svc(String device) {
        Object apps = statuses.getOrDefault(device, Map.of()).get("apps");
        Object svc = apps instanceof Map<?, ?> m ? m.get("svc") : null;
        return svc instanceof Map<?, ?> s ? (Map<String, Object>) s : Map.of();
    }

    static void awaitAll(long version, String target, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> devices.stream().allMatch(d -> {
            Map<String, Object> s = desired(d);
            return s.get("version") instanceof Number v && v.longValue() == version && Boolean.TRUE.equals(s.get("applied"))
                    && (target.startsWith("group:") ? target : d).equals(s.get("target"));
        }));
    }

    /** What edgectl printed and its exit code. */
    record Run(int exit, String log) {}

    /** Runs edgectl in this JVM against the fleet's broker, signing with the operator key. */
    static Run edgectl(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--broker", broker.uri(), "--key", operatorKey.toString(),
                "--password-file", work.resolve("password").toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = Main.execute(print, print, all.toArray(new String[0]));
        String log = out.toString(StandardCharsets.UTF_8);
        System.err.print(log); // the operator's view, kept in the test report
        return new Run(exit, log);
    }

    static Run rollout(String release, String... args) throws Exception {
        Path file = work.resolve("release.json");
        Files.writeString(file, "{\"apps\":" + release + "}");
        List<String> all = new ArrayList<>(List.of("--group", GROUP, "--file", file.toString(), "--canary", "2", "--waves", "50,100"));
        all.addAll(List.of(args));
        return edgectl("rollout", all.toArray(new String[0]));
    }

    @Test
    @Order(1)
    void aBadReleaseIsCaughtInTheCanaryWaveAndNoOtherDeviceIsTouched() throws Exception {
        Run run = rollout(apps(bad, 64, 3), "--version", "2", "--max-failures", "0", "--wave-timeout", "120");
        String log = run.log();
        assertEquals(1, run.exit(), log);
        assertTrue(log.contains("50 devices in 3 waves [2, 23, 25]"), log);
        assertTrue(log.contains("HALTED: 2 failure(s) in wave 1") && log.contains("48 device(s) not touched"), log);
        assertTrue(log.contains("ROLLED_BACK"), log);

        for (String canary : devices.subList(0, 2)) {
            Map<String, Object> d = desired(canary);
            assertEquals(2, ((Number) d.get("version")).intValue(), canary + " " + d);
            assertEquals(false, d.get("applied"), canary + " " + d);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(svc(canary).get("phase")));
            assertEquals(good, svc(canary).get("image"), "the canary runs the old release again, by itself");
            assertEquals(1, ((Number) svc(canary).get("generation")).intValue());
        }
        for (String other : devices.subList(2, FLEET)) {
            assertEquals(1, ((Number) desired(other).get("version")).intValue(), other + " must not be touched");
            assertEquals(good, svc(other).get("image"), other);
            assertEquals(1, ((Number) svc(other).get("generation")).intValue(), other);
        }
    }

    @Test
    @Order(2)
    void aGoodReleaseReachesTheWholeFleetWaveByWave() throws Exception {
        Run run = rollout(apps(good, 96, 1), "--version", "3", "--max-failures", "10%", "--wave-timeout", "240");
        String log = run.log();
        assertEquals(0, run.exit(), log);
        assertTrue(log.contains("rollout done: 50 devices run version 3"), log);
        awaitAll(3, "device", Duration.ofSeconds(30));
        for (String d : devices) {
            assertEquals((long) 96 << 20, ((Number) ((Map<?, ?>) svc(d).get("limits")).get("memoryBytes")).longValue(), d);
        }
    }

    @Test
    @Order(3)
    void aCommandToTheGroupIsAnsweredByEveryMember() {
        Run run = edgectl("ps", "--group", GROUP, "--timeout", "60");
        String log = run.log();
        assertEquals(0, run.exit(), log);
        assertTrue(log.contains(GROUP + ": 50 of 50 ok"), log);
        assertTrue(log.contains("fleet-49"), log);
    }
}
