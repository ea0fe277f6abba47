package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A device clock 2 hours off, seen from the device: orders are signed with the operator's clock 2 hours ahead of the
 * device's (the device is behind) or 2 hours behind it (the device is ahead). The system clock is never touched. A
 * device that is behind refuses every signed order with {@code CLOCK_SKEW}; one that is ahead refuses short-lived
 * orders as {@code EXPIRED} with a sentence about its clock, and still takes long-lived ones (desired states, 90 days).
 * Either way its status says which way its clock looks wrong, until an order signed within 5 minutes of its clock
 * is accepted.
 */
class ClockSkewIT {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ED25519);
    static AgentFixture f;
    static long sequence = Instant.now().toEpochMilli() * 1000;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("skewed");
        Map<KeyId, VerificationKey> keys = Map.of(ROOT.id(), ROOT.publicKey(), OPERATOR.id(), OPERATOR.publicKey());
        TrustDocument doc = new TrustDocument(1, Instant.now(), keys, new Role(Set.of(ROOT.id()), 1), new Role(Set.of(OPERATOR.id()), 1),
                List.of(new ImageRule("*", Optional.empty())));
        Path trustFile = f.work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, doc.toJson(), List.of(ROOT)).toJson());
        f.trust = new AgentConfig.Trust(Optional.of(trustFile), false);
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    static Map<String, Object> ping(String id, Instant issued, Duration life) throws Exception {
        String order = "{\"id\":\"" + id + "\"}";
        byte[] wire = new SignedOrder("skewed", "ping", issued, issued.plus(life), ++sequence, order.getBytes(StandardCharsets.UTF_8))
                .signWith(List.of(OPERATOR)).toJson();
        return f.command("ping", new String(wire, StandardCharsets.UTF_8), id);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> clockInStatus(String suspect) throws Exception {
        return (Map<String, Object>) f.status("\"suspect\":\"" + suspect + "\"").get("clock");
    }

    @Test
    void aDeviceTwoHoursBehindRefusesWithClockSkewAndSaysSoInStatus() throws Exception {
        Map<String, Object> reply = ping("behind-1", Instant.now().plus(Duration.ofHours(2)), Duration.ofMinutes(10));
        assertEquals(false, reply.get("ok"), reply.toString());
        assertEquals("CLOCK_SKEW", reply.get("code"), reply.toString());
        String message = String.valueOf(reply.get("message"));
        assertTrue(message.contains("clock is behind") && (message.contains("2 h 0 min") || message.contains("1 h 59 min")), message);
        Map<String, Object> clock = clockInStatus("behind");
        long offset = ((Number) clock.get("offsetSeconds")).longValue();
        assertTrue(offset <= -7190 && offset >= -7210, clock.toString());
        try (MqttCli.Subscription status = f.mqtt.subscribe("edge/skewed/status")) {
            String doc = status.next("\"suspect\"", 20);
            String schema = Files.readString(dev.edgeagent.testkit.Tools.repoRoot().resolve("docs/schemas/status.schema.json"));
            assertEquals(Set.of(), com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7)
                    .getSchema(schema).validate(doc, com.networknt.schema.InputFormat.JSON), doc);
        }

        // A desired state signed now is refused the same way: the device is not silently deaf to it.
        assertEquals("CLOCK_SKEW", ping("behind-2", Instant.now().plus(Duration.ofHours(2)), Duration.ofDays(90)).get("code"));

        assertEquals(true, ping("behind-ok", Instant.now(), Duration.ofMinutes(10)).get("ok"), "a clock set right again is heard");
        awaitNoClockInStatus();
    }

    @Test
    void aDeviceTwoHoursAheadRefusesShortLivedOrdersAsExpiredButTakesLongLivedOnes() throws Exception {
        Instant operatorNow = Instant.now().minus(Duration.ofHours(2));
        Map<String, Object> reply = ping("ahead-1", operatorNow, Duration.ofMinutes(10));
        assertEquals("EXPIRED", reply.get("code"), reply.toString());
        String message = String.valueOf(reply.get("message"));
        assertTrue(message.contains("the device's clock is that far ahead") && message.contains("after it was issued"), message);
        Map<String, Object> clock = clockInStatus("ahead");
        long offset = ((Number) clock.get("offsetSeconds")).longValue();
        assertTrue(offset >= 7190 && offset <= 7210, clock.toString());

        assertEquals(true, ping("ahead-2", operatorNow, Duration.ofDays(90)).get("ok"), "an order valid for 90 days is still taken");
        assertEquals("ahead", clockInStatus("ahead").get("suspect"), "a late order does not clear the suspicion");

        assertEquals(true, ping("ahead-ok", Instant.now(), Duration.ofMinutes(10)).get("ok"));
        awaitNoClockInStatus();
    }

    private static void awaitNoClockInStatus() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !f.status("\"apps\"").containsKey("clock"));
    }
}
