package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedPolicy;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.testkit.Mosquitto;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code edgectl policy status|check|publish} against a group of fifty, on the real broker: the members are fake
 * agents, i.e. the retained status documents fifty agents would publish (the real parts are mosquitto and edgectl).
 * Five members run a camera app with 512 MiB and CAP_NET_RAW; two of those report a violation of the policy in force.
 */
class PolicyFleetIT {
    static Path work;
    static Mosquitto broker;
    static MqttCli mqtt;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("edgeagent-policy-fleet");
        broker = Mosquitto.start(Files.createDirectories(work.resolve("broker")));
        mqtt = new MqttCli(broker.port());
        for (int i = 0; i < 50; i++) {
            publishStatus(i, i == 11 || i == 12);
        }
        // Not a member: its apps must not count.
        mqtt.publishRetained("edge/outsider/status", new String(Json.compact(status("outsider", List.of("west"), true, true)),
                StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        Trees.deleteRecursively(work);
    }

    static String device(int i) {
        return String.format("fleet-%02d", i);
    }

    static void publishStatus(int i, boolean violating) throws Exception {
        mqtt.publishRetained("edge/" + device(i) + "/status",
                new String(Json.compact(status(device(i), List.of("east"), i >= 10 && i < 15, violating)), StandardCharsets.UTF_8));
    }

    static Map<String, Object> app(long memoryMiB, List<String> capabilities) {
        Map<String, Object> grants = new LinkedHashMap<>();
        grants.put("capabilities", capabilities);
        grants.put("devices", List.of());
        grants.put("hostNetwork", false);
        grants.put("volumes", List.of());
        grants.put("customSeccomp", false);
        grants.put("extraSyscalls", List.of());
        grants.put("bridge", false);
        grants.put("hostPorts", List.of());
        grants.put("egress", List.of());
        return Map.of("phase", "RUNNING", "limits", Map.of("memoryBytes", memoryMiB << 20, "pids", 64, "cpus", 0.5), "grants", grants);
    }

    /** What an agent publishes, as far as policies go. */
    static Map<String, Object> status(String device, List<String> groups, boolean camera, boolean violating) {
        Map<String, Object> apps = new LinkedHashMap<>();
        apps.put("web", app(64, List.of()));
        if (camera) {
            apps.put("cam", app(512, List.of("CAP_NET_RAW")));
        }
        List<Object> violations = violating ? List.of(Map.of("app", "cam", "reasons",
                List.of("capability CAP_NET_RAW is not granted by profile base (grants.capabilities)"), "stopped", false)) : List.of();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("device", device);
        s.put("groups", groups);
        s.put("platform", "linux/amd64");
        s.put("apps", apps);
        s.put("policy", Map.of("name", "base", "version", 2, "digest", "sha256:" + "1".repeat(64), "enforcement", "report",
                "source", "group:east", "violations", violations));
        return s;
    }

    record Run(int code, String out, String err) {}

    static Run edgectl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--broker", broker.uri()));
        int code = dev.edgeagent.edgectl.Main.execute(new PrintStream(out, true), new PrintStream(err, true), all.toArray(String[]::new));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path profile(String name, long memoryMiB, List<String> capabilities, String platform) throws Exception {
        Path file = work.resolve(name + ".json");
        Files.write(file, Json.compact(Map.of("name", name, "platform", platform,
                "defaults", Map.of("memoryBytes", 33554432, "pids", 32, "cpus", 0.5),
                "ceilings", Map.of("memoryBytes", memoryMiB << 20, "pids", 1024, "cpus", 2.0, "storageBytes", 1L << 30),
                "grants", Map.of("capabilities", capabilities))));
        return file;
    }

    @Test
    void policyStatusNamesEachMemberThatDoesNotComplyAndExitsZeroOnlyWhenAllDo() throws Exception {
        Run r = edgectl("policy", "status", "--group", "east");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("east: 48 of 50 comply"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fleet-11 ") && l.contains("1 violation(s): cam")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fleet-03 ") && l.contains("v2") && l.contains("complies")), r.out());
        assertTrue(!r.out().contains("outsider"), r.out());

        publishStatus(11, false);
        publishStatus(12, false);
        r = edgectl("policy", "status", "--group", "east");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("east: 50 of 50 comply"), r.out());
    }

    @Test
    void policyCheckShowsWhichAppsAStricterProfileWouldPutInViolationBeforeItIsPushed() throws Exception {
        Run strict = edgectl("policy", "check", "--file", profile("strict", 256, List.of(), "linux/amd64").toString(), "--group", "east");
        assertEquals(1, strict.code(), strict.out() + strict.err());
        List<String> flagged = strict.out().lines().filter(l -> l.startsWith("fleet-")).toList();
        assertEquals(List.of("fleet-10", "fleet-11", "fleet-12", "fleet-13", "fleet-14"), flagged.stream().map(l -> l.split("\\s+")[0]).toList(),
                strict.out());
        assertTrue(flagged.get(0).contains("cam") && flagged.get(0).contains("memoryBytes 536870912 is above the ceiling of profile strict")
                && flagged.get(0).contains("capability CAP_NET_RAW"), flagged.get(0));
        assertTrue(strict.out().contains("east: 50 devices, 55 apps; 5 would be in violation of profile strict"), strict.out());

        Run roomy = edgectl("policy", "check", profile("roomy", 1024, List.of("CAP_NET_RAW"), "linux/amd64").toString(),
                "--group", "east");
        assertEquals(0, roomy.code(), roomy.out() + roomy.err());
        assertTrue(roomy.out().contains("would put none in violation"), roomy.out());

        Run arm = edgectl("policy", "check", "--file", profile("arm", 1024, List.of("CAP_NET_RAW"), "linux/arm64").toString(), "--group", "east");
        assertEquals(1, arm.code(), arm.out());
        assertTrue(arm.out().contains("refused: the profile is for linux/arm64"), arm.out());

        Path broken = work.resolve("broken.json");
        Files.writeString(broken, "{\"name\":\"x\",\"platform\":\"linux/amd64\",\"ceilings\":{}}");
        Run bad = edgectl("policy", "check", "--file", broken.toString());
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertTrue(bad.err().contains("field 'defaults'"), bad.err());
    }

    @Test
    void policyPublishSignsWithThePolicyKeyAndTheDeviceCanOpenIt() throws Exception {
        Path password = work.resolve("password");
        Files.writeString(password, "correct horse");
        assertEquals(0, dev.edgeagent.edgectl.Main.execute(new PrintStream(new ByteArrayOutputStream()), System.err, "keygen", "--out",
                work.resolve("security").toString(), "--password-file", password.toString()));
        Path file = profile("tight", 128, List.of(), "linux/amd64");
        Run published = edgectl("policy", "publish", "--file", file.toString(), "--version", "7", "--group", "east", "--key",
                work.resolve("security.key").toString(), "--password-file", password.toString(), "--enforcement", "stop");
        assertEquals(0, published.code(), published.out() + published.err());
        assertTrue(published.out().contains("policy v7 (profile tight, enforcement stop)"), published.out());

        String retained;
        try (MqttCli.Subscription s = mqtt.subscribe("edge/group/east/policy")) {
            retained = s.next("payloadType", 10);
        }
        var pub = KeyPem.readPublic(Files.readString(work.resolve("security.pub")));
        var root = dev.edgeagent.security.sign.SigningKey.generate(dev.edgeagent.security.sign.KeyKind.ECDSA_P256);
        var operator = dev.edgeagent.security.sign.SigningKey.generate(dev.edgeagent.security.sign.KeyKind.ECDSA_P256);
        TrustDocument trust = new TrustDocument(1, Instant.now(), Map.of(root.id(), root.publicKey(), operator.id(), operator.publicKey(),
                pub.id(), pub), new Role(Set.of(root.id()), 1), new Role(Set.of(operator.id()), 1), List.of())
                .withPolicy(Optional.of(new Role(Set.of(pub.id()), 1)));
        SignedPolicy.Verified v = SignedPolicy.open(retained.getBytes(StandardCharsets.UTF_8), Set.of("fleet-00", "group:east"), Instant.now(), trust);
        assertEquals(7, v.statement().version());
        assertEquals(SignedPolicy.Enforcement.STOP, v.statement().enforcement());
        assertEquals("tight", v.statement().profile().get("name"));
        // The same key as an operator key would not do: a document naming it only there refuses the policy.
        TrustDocument noPolicy = new TrustDocument(1, Instant.now(), Map.of(root.id(), root.publicKey(), pub.id(), pub),
                new Role(Set.of(root.id()), 1), new Role(Set.of(pub.id()), 1), List.of());
        TrustFailure refused = org.junit.jupiter.api.Assertions.assertThrows(TrustFailure.class,
                () -> SignedPolicy.open(retained.getBytes(StandardCharsets.UTF_8), Set.of("group:east"), Instant.now(), noPolicy));
        assertEquals("UNKNOWN_KEY", refused.code().name());
        mqtt.publishRetained("edge/group/east/policy", "");
    }
}
