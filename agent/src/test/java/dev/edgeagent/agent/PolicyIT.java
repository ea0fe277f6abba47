package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SignedPolicy;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A security team's policy over the air, against the real broker, registry and runc: only the policy keys may set
 * the fence, only a newer version replaces it, it survives restarts, every later order is admitted against it, and a
 * stricter one reports or stops the apps beyond it until a looser one admits them again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyIT {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey SECURITY = SigningKey.generate(KeyKind.ED25519);
    static final SigningKey BUILDER = SigningKey.generate(KeyKind.ED25519);
    static final String DEVICE = "fenced";

    static AgentFixture f;
    static String image;
    static long sequence = Instant.now().toEpochMilli() * 1000;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture(DEVICE);
        String registry = f.registry.host();
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(ROOT, OPERATOR, SECURITY, BUILDER)) {
            keys.put(k.id(), k.publicKey());
        }
        TrustDocument trust = new TrustDocument(1, Instant.now(), keys, new Role(Set.of(ROOT.id()), 1), new Role(Set.of(OPERATOR.id()), 1),
                List.of(new ImageRule(registry + "/*", Optional.of(new Role(Set.of(BUILDER.id()), 1)))), Optional.empty(),
                TrustDocument.RevokedImages.REPORT, Optional.of(new Role(Set.of(SECURITY.id()), 1)));
        Path trustFile = f.work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, trust.toJson(), List.of(ROOT)).toJson());
        f.trust = new AgentConfig.Trust(Optional.of(trustFile), false);
        f.groups = List.of("north");
        image = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
        new CosignPublisher(RegistryClient.create(TransportSettings.insecure(Set.of(registry)))).sign(ImageRef.parse(image), BUILDER);
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.mqtt.publishRetained("edge/" + DEVICE + "/policy", "");
            f.mqtt.publishRetained("edge/group/north/policy", "");
            f.close();
        }
    }

    /** A profile for this host whose memory ceiling is {@code memoryMiB}. */
    static Map<String, Object> profile(String name, long memoryMiB) {
        return Map.of("name", name, "platform", "linux/amd64",
                "defaults", Map.of("memoryBytes", 16L << 20, "pids", 64, "cpus", 0.5),
                "ceilings", Map.of("memoryBytes", memoryMiB << 20, "pids", 512, "cpus", 2.0, "storageBytes", 1L << 30));
    }

    static String policy(String target, long version, SignedPolicy.Enforcement enforcement, Map<String, Object> profile, SigningKey key) {
        return new String(new SignedPolicy(target, version, Instant.now(), enforcement, profile).signWith(List.of(key)).toJson(),
                StandardCharsets.UTF_8);
    }

    static Map<String, Object> order(String command, String json, String id) throws Exception {
        Instant now = Instant.now();
        String wire = new String(new SignedOrder(DEVICE, command, now, now.plus(Duration.ofMinutes(5)), ++sequence,
                json.getBytes(StandardCharsets.UTF_8)).signWith(List.of(OPERATOR)).toJson(), StandardCharsets.UTF_8);
        return f.command(command, wire, id);
    }

    static String phase(String app, String id) throws Exception {
        Map<String, Object> r = order("inspect", "{\"id\":\"" + id + "\",\"app\":\"" + app + "\"}", id);
        return (String) ((Map<?, ?>) r.get("result")).get("phase");
    }

    static Map<?, ?> policyStatus(String mustContain) throws Exception {
        return (Map<?, ?>) f.status(mustContain).get("policy");
    }

    @Test
    @Order(1)
    void theBootstrapProfileIsInForceUntilAPolicyArrivesAndAnOperatorKeyCannotSignOne() throws Exception {
        Map<?, ?> p = policyStatus("\"policy\"");
        assertEquals("generic-x86_64", p.get("name"), p.toString());
        assertEquals(0, ((Number) p.get("version")).intValue(), p.toString());
        assertEquals("config", p.get("source"), p.toString());

        Map<String, Object> deployed = order("deploy", "{\"id\":\"d-big\",\"app\":\"big\",\"image\":\"" + image
                + "\",\"restart\":\"no\",\"resources\":{\"memoryBytes\":67108864}}", "d-big");
        assertEquals(true, deployed.get("ok"), deployed.toString());

        f.mqtt.publishRetained("edge/" + DEVICE + "/policy", policy(DEVICE, 1, SignedPolicy.Enforcement.STOP, profile("tight", 32), OPERATOR));
        Map<String, Object> refused = f.event("-", "policy.refused", 20);
        assertEquals("UNKNOWN_KEY", refused.get("code"), refused.toString());
        assertEquals("RUNNING", phase("big", "i-1"));
    }

    @Test
    @Order(2)
    void aStricterPolicyThatReportsNamesTheAppAndLeavesItRunningAndLaterOrdersAreAdmittedAgainstIt() throws Exception {
        f.mqtt.publishRetained("edge/group/north/policy", policy("group:north", 2, SignedPolicy.Enforcement.REPORT,
                profile("tight", 32), SECURITY));
        Map<String, Object> accepted = f.event("-", "policy.accepted", 20);
        assertEquals(2, ((Number) accepted.get("version")).intValue(), accepted.toString());
        Map<String, Object> violation = f.event("big", "policy.violation", 20);
        assertEquals("report", violation.get("action"), violation.toString());
        assertTrue(violation.get("reasons").toString().contains("memoryBytes 67108864 is above the ceiling of profile tight"),
                violation.toString());
        assertEquals("RUNNING", phase("big", "i-2"));
        // Reported apps keep running, but an order to restart one is judged by the policy first and leaves it running.
        Map<String, Object> restart = order("restart", "{\"id\":\"r-big\",\"app\":\"big\"}", "r-big");
        assertEquals("NOT_PERMITTED", restart.get("code"), restart.toString());
        assertTrue(((String) restart.get("message")).contains("memoryBytes 67108864 is above the ceiling of profile tight"), restart.toString());
        assertEquals("RUNNING", phase("big", "i-2b"));
        Map<?, ?> p = policyStatus("\"version\":2");
        assertEquals("tight", p.get("name"), p.toString());
        assertEquals("group:north", p.get("source"), p.toString());
        assertTrue(((String) p.get("digest")).startsWith("sha256:"), p.toString());
        List<?> violations = (List<?>) p.get("violations");
        assertEquals(1, violations.size(), p.toString());
        assertEquals("big", ((Map<?, ?>) violations.get(0)).get("app"), p.toString());

        Map<String, Object> refused = order("deploy", "{\"id\":\"d-big2\",\"app\":\"big2\",\"image\":\"" + image
                + "\",\"restart\":\"no\",\"resources\":{\"memoryBytes\":67108864}}", "d-big2");
        assertEquals("LIMIT_EXCEEDED", refused.get("code"), refused.toString());
        assertTrue(((String) refused.get("message")).contains("profile tight"), refused.toString());
    }

    @Test
    @Order(3)
    void anOlderOrReusedVersionIsRefused() throws Exception {
        f.mqtt.publishRetained("edge/" + DEVICE + "/policy", policy(DEVICE, 1, SignedPolicy.Enforcement.REPORT, profile("old", 4096), SECURITY));
        Map<String, Object> refused = f.event("-", "policy.refused", 20);
        assertEquals("REPLAYED", refused.get("code"), refused.toString());
        f.mqtt.publishRetained("edge/" + DEVICE + "/policy", policy(DEVICE, 2, SignedPolicy.Enforcement.REPORT, profile("other", 4096), SECURITY));
        refused = f.event("-", "policy.refused", 20);
        assertEquals("REPLAYED", refused.get("code"), refused.toString());
        assertEquals(2, ((Number) policyStatus("\"policy\"").get("version")).intValue());
        f.mqtt.publishRetained("edge/" + DEVICE + "/policy", "");
    }

    @Test
    @Order(4)
    void aStricterPolicyThatStopsStopsTheAppAndItMayNotBeStartedUntilALooserOneAdmitsItAgain() throws Exception {
        f.mqtt.publishRetained("edge/group/north/policy", policy("group:north", 3, SignedPolicy.Enforcement.STOP, profile("tight", 32), SECURITY));
        Map<String, Object> violation = f.event("big", "policy.violation", 20);
        assertEquals("stop", violation.get("action"), violation.toString());
        assertEquals("STOPPED", phase("big", "i-3"));
        Map<String, Object> start = order("start", "{\"id\":\"s-big\",\"app\":\"big\"}", "s-big");
        assertEquals("NOT_PERMITTED", start.get("code"), start.toString());
        Map<?, ?> p = policyStatus("\"version\":3");
        assertEquals(true, ((Map<?, ?>) ((List<?>) p.get("violations")).get(0)).get("stopped"), p.toString());

        // The policy and its hold survive a restart; the config still names the bootstrap.
        f.stopAgent();
        f.startAgent();
        assertEquals(3, ((Number) policyStatus("\"version\":3").get("version")).intValue());
        assertEquals("STOPPED", phase("big", "i-4"));

        f.mqtt.publishRetained("edge/group/north/policy", policy("group:north", 4, SignedPolicy.Enforcement.STOP, profile("roomy", 256), SECURITY));
        Map<String, Object> restored = f.event("big", "policy.restored", 20);
        assertEquals(true, restored.get("ok"), restored.toString());
        assertEquals("RUNNING", phase("big", "i-5"));
        assertEquals(List.of(), policyStatus("\"version\":4").get("violations"));
    }

    static Map<String, Object> local(String request) throws Exception {
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            c.connect(java.net.UnixDomainSocketAddress.of(f.config.localSocket()));
            c.write(java.nio.ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
            while (c.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return dev.edgeagent.protocol.wire.Json.object(out.toByteArray());
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> entries(Map<String, Object> reply) {
        assertEquals(true, reply.get("ok"), reply.toString());
        return (List<Map<String, Object>>) ((Map<?, ?>) reply.get("result")).get("entries");
    }

    @Test
    @Order(5)
    void theAuditTrailSaysWhoOrderedWhatOverMqttAndTheLocalSocketAndVerifiesAcrossRestarts() throws Exception {
        List<Map<String, Object>> trail = entries(order("audit", "{\"id\":\"a-1\",\"limit\":50}", "a-1"));
        Map<String, Object> deploy = trail.stream().filter(e -> "d-big".equals(e.get("id"))).findFirst().orElseThrow();
        assertEquals("deploy", deploy.get("command"), deploy.toString());
        assertEquals("OK", deploy.get("outcome"), deploy.toString());
        assertEquals(List.of(OPERATOR.id().value()), deploy.get("signers"), deploy.toString());
        Map<String, Object> refused = trail.stream().filter(e -> "d-big2".equals(e.get("id"))).findFirst().orElseThrow();
        assertEquals("LIMIT_EXCEEDED", refused.get("outcome"), refused.toString());
        Map<String, Object> policy = trail.stream().filter(e -> "policy-v3".equals(e.get("id"))).findFirst().orElseThrow();
        assertEquals(List.of(SECURITY.id().value()), policy.get("signers"), policy.toString());
        assertTrue(trail.stream().anyMatch(e -> "policy-v3-big".equals(e.get("id")) && "stop".equals(e.get("command"))), trail.toString());
        assertTrue(trail.stream().anyMatch(e -> "policy-v4-big".equals(e.get("id")) && "start".equals(e.get("command"))), trail.toString());
        // The read-only audit order itself changes nothing and is not recorded; the trail verified at the restart above.
        assertTrue(trail.stream().noneMatch(e -> "a-1".equals(e.get("id"))));
        Map<?, ?> audit = (Map<?, ?>) f.status("\"audit\"").get("audit");
        assertEquals(true, audit.get("intact"), audit.toString());
        assertEquals(trail.get(trail.size() - 1).get("hash"), audit.get("head"), audit.toString());

        List<Map<String, Object>> overSocket = entries(local("{\"command\":\"audit\",\"order\":{\"id\":\"a-2\",\"since\":\""
                + trail.get(trail.size() - 1).get("time") + "\"}}"));
        assertTrue(overSocket.stream().anyMatch(e -> e.get("hash").equals(audit.get("head"))), overSocket.toString());
        // edgectl audit over the broker, signed with the operator key, prints the trail and exits 0 while it is intact.
        Path password = f.work.resolve("password");
        Files.writeString(password, "operator password");
        Path keyFile = f.work.resolve("operator.key");
        Files.writeString(keyFile, dev.edgeagent.security.sign.KeyPem.encryptedPrivatePem(OPERATOR, "operator password".toCharArray()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = dev.edgeagent.edgectl.Main.execute(new java.io.PrintStream(out, true), System.err, "audit", "--device", DEVICE,
                "--broker", f.broker.uri(), "--key", keyFile.toString(), "--password-file", password.toString(), "--limit", "200");
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("d-big") && out.toString().contains("LIMIT_EXCEEDED"), out.toString());
        assertTrue(out.toString().contains("head: entry " + audit.get("sequence") + " " + audit.get("head")), out.toString());
        // A changing order over the local socket is recorded too: unsigned, via local, with its outcome.
        assertEquals("NOT_FOUND", local("{\"command\":\"stop\",\"order\":{\"id\":\"l-1\",\"app\":\"nobody\"}}").get("code"));
        Map<String, Object> viaLocal = entries(order("audit", "{\"id\":\"a-5\",\"limit\":1}", "a-5")).get(0);
        assertEquals("l-1", viaLocal.get("id"), viaLocal.toString());
        assertEquals("local", viaLocal.get("via"), viaLocal.toString());
        assertEquals("NOT_FOUND", viaLocal.get("outcome"), viaLocal.toString());
        assertEquals(List.of(), viaLocal.get("signers"), viaLocal.toString());
        Map<String, Object> bad = local("{\"command\":\"audit\",\"order\":{\"id\":\"a-3\",\"since\":\"yesterday\"}}");
        assertEquals("BAD_REQUEST", bad.get("code"), bad.toString());
    }

    private static java.util.Set<com.networknt.schema.ValidationMessage> validate(String schemaText, String json) {
        return com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7).getSchema(schemaText)
                .validate(json, com.networknt.schema.InputFormat.JSON);
    }

    private static String schema(String name) throws Exception {
        return Files.readString(dev.edgeagent.testkit.Tools.repoRoot().resolve("docs/schemas/" + name));
    }

    @Test
    @Order(6)
    void policiesAuditEntriesAndStatusMatchTheSchemasInDocs() throws Exception {
        String envelope = policy("group:north", 9, SignedPolicy.Enforcement.STOP, profile("tight", 32), SECURITY);
        assertEquals(Set.of(), validate(schema("policy.schema.json"), envelope), envelope);
        String statement = new String(Envelope.parse(envelope.getBytes(StandardCharsets.UTF_8)).payload(), StandardCharsets.UTF_8);
        Map<String, Object> policySchema = dev.edgeagent.protocol.wire.Json.object(schema("policy.schema.json").getBytes(StandardCharsets.UTF_8));
        String statementSchema = new String(dev.edgeagent.protocol.wire.Json.compact(Map.of("$schema", "http://json-schema.org/draft-07/schema#",
                "definitions", policySchema.get("definitions"), "$ref", "#/definitions/statement")), StandardCharsets.UTF_8);
        assertEquals(Set.of(), validate(statementSchema, statement), statement);
        assertTrue(!validate(statementSchema, statement.replace("\"stop\"", "\"pause\"")).isEmpty(), "the schema can fail");

        for (Map<String, Object> e : entries(order("audit", "{\"id\":\"a-schema\",\"limit\":500}", "a-schema"))) {
            String json = new String(dev.edgeagent.protocol.wire.Json.compact(e), StandardCharsets.UTF_8);
            assertEquals(Set.of(), validate(schema("audit-entry.schema.json"), json), json);
        }
        try (MqttCli.Subscription status = f.mqtt.subscribe("edge/" + DEVICE + "/status")) {
            String doc = status.next("\"grants\"", 20);
            assertEquals(Set.of(), validate(schema("status.schema.json"), doc), doc);
        }
    }

    @Test
    @Order(7)
    void anEntryEditedWhileTheAgentIsStoppedIsDetectedAtTheNextStart() throws Exception {
        f.stopAgent();
        Path segment;
        try (java.util.stream.Stream<Path> s = Files.list(f.config.root().resolve("audit"))) {
            segment = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().findFirst().orElseThrow();
        }
        String text = Files.readString(segment);
        assertTrue(text.contains("\"outcome\":\"LIMIT_EXCEEDED\""), text);
        Files.writeString(segment, text.replace("\"outcome\":\"LIMIT_EXCEEDED\"", "\"outcome\":\"OK\""));
        f.startAgent();
        Map<String, Object> tampered = f.event("-", "audit.tampered", 20);
        assertTrue(((String) tampered.get("message")).contains("was changed"), tampered.toString());
        Map<?, ?> audit = (Map<?, ?>) f.status("\"intact\":false").get("audit");
        assertTrue(((String) audit.get("problem")).contains(segment.getFileName().toString()), audit.toString());
        List<Map<String, Object>> trail = entries(order("audit", "{\"id\":\"a-4\",\"limit\":1}", "a-4"));
        assertEquals("audit.tamper-detected", trail.get(0).get("command"), trail.toString());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = dev.edgeagent.edgectl.Main.execute(new java.io.PrintStream(out, true), System.err, "audit", "--local", "--socket",
                f.config.localSocket().toString());
        assertEquals(1, code, out.toString());
        assertTrue(out.toString().contains("THE TRAIL WAS CHANGED"), out.toString());
    }
}
