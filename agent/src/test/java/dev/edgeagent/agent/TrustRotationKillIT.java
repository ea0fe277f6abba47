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
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The crash-consistency kill loop (see {@link CrashConsistencyIT}) aimed at a trust rotation: a device in signed
 * mode is sent a root-signed trust document naming a new operator key, retained, and the agent, a process of its
 * own, is killed with SIGKILL at a random moment of taking it. The stored document is always whole, the old version
 * or the new; after the restart the new one is in force. 6 kills by default; {@code -Dedgeagent.rotationKills=N} runs
 * more (bench/kill-loop).
 */
class TrustRotationKillIT {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);

    static AgentFixture f;
    static AgentProcess agent;
    static long sequence = Instant.now().toEpochMilli() * 1000;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("rotkill");
        Path provisioned = f.work.resolve("trust.json");
        Files.write(provisioned, document(1, operatorKey(1)));
        agent = new AgentProcess(f, Map.of("document", provisioned.toString()));
        agent.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (f != null) {
            f.close();
        }
    }

    private static final Map<Long, SigningKey> OPERATORS = new java.util.HashMap<>();

    /** Version n's operator key: a new one with every version. */
    static SigningKey operatorKey(long version) {
        return OPERATORS.computeIfAbsent(version, v -> SigningKey.generate(v % 2 == 0 ? KeyKind.ED25519 : KeyKind.ECDSA_P256));
    }

    /** Version {@code version}, signed by the root, with {@code operator} as the only operator key. */
    static byte[] document(long version, SigningKey operator) {
        Map<KeyId, VerificationKey> keys = Map.of(ROOT.id(), ROOT.publicKey(), operator.id(), operator.publicKey());
        TrustDocument d = new TrustDocument(version, Instant.now(), keys, new Role(Set.of(ROOT.id()), 1),
                new Role(Set.of(operator.id()), 1), List.of(new ImageRule("*", Optional.empty())));
        return Envelope.sign(TrustDocument.PAYLOAD_TYPE, d.toJson(), List.of(ROOT)).toJson();
    }

    static Map<String, Object> ping(String id, SigningKey key) throws Exception {
        Instant now = Instant.now();
        String order = new String(new SignedOrder("rotkill", "ping", now, now.plus(Duration.ofMinutes(5)), ++sequence,
                ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)).signWith(List.of(key)).toJson(), StandardCharsets.UTF_8);
        return f.command("ping", order, id);
    }

    /** The stored document, which must be whole and verify against its own root keys. */
    static long storedVersion() throws Exception {
        return TrustDocument.selfSigned(Files.readAllBytes(agent.root().resolve("trust/trust.json"))).version();
    }

    @Test
    void killedDuringARotationTheStoredDocumentIsWholeAndTheNewOneTakesOver() throws Exception {
        assertEquals(true, ping("first", operatorKey(1)).get("ok"));
        int loops = Integer.getInteger("edgeagent.rotationKills", 6);
        Random random = new Random(19);
        int old = 0;
        int rotated = 0;
        long slowest = 0;
        for (int i = 1; i <= loops; i++) {
            long from = i;
            long to = i + 1;
            f.mqtt.publishRetained("edge/rotkill/trust", new String(document(to, operatorKey(to)), StandardCharsets.UTF_8));
            // mosquitto_pub has handed it to the broker; the agent verifies it, writes it and puts it in force in ms.
            Thread.sleep(random.nextInt(60));
            agent.kill();
            long stored = storedVersion();
            assertTrue(stored == from || stored == to, "loop " + i + ": stored v" + stored + ", not v" + from + " or v" + to);
            if (stored == from) {
                old++;
            } else {
                rotated++;
            }
            long started = System.nanoTime();
            agent.start();
            // The retained document arrives again at the subscription: in force within a bounded time.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Map<String, Object> reply = ping("new-" + i + "-0", operatorKey(to));
            for (int t = 1; !Boolean.TRUE.equals(reply.get("ok")) && System.nanoTime() < deadline; t++) {
                assertEquals("UNKNOWN_KEY", reply.get("code"), "loop " + i + ": " + reply);
                Thread.sleep(300);
                reply = ping("new-" + i + "-" + t, operatorKey(to));
            }
            assertEquals(true, reply.get("ok"), "loop " + i + ": the new operator key is in force: " + reply);
            slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
            Map<String, Object> refused = ping("old-" + i, operatorKey(from));
            assertEquals(false, refused.get("ok"), "loop " + i + ": " + refused);
            assertEquals("UNKNOWN_KEY", refused.get("code"), "loop " + i + ": " + refused);
            assertEquals(to, storedVersion(), "loop " + i);
        }
        Map<?, ?> trust = (Map<?, ?>) f.status("\"version\":" + (loops + 1)).get("trust");
        assertEquals(loops + 1, ((Number) trust.get("version")).intValue(), trust.toString());
        long strays;
        try (Stream<Path> s = Files.list(agent.root().resolve("trust"))) {
            strays = s.filter(p -> p.getFileName().toString().contains(".tmp-")).count();
        }
        System.err.printf("rotation kill loop: %d kills; at the kill %d had stored the old version, %d the new one, 0 a torn or "
                + "other document; the new one in force at most %d ms after the restart began; %d temp files left%n", loops, old,
                rotated, slowest, strays);
        assertEquals(0, strays, "the temp files of writes cut short by a kill are removed at the next start");
    }
}
