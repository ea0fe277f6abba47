package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.edgectl.Main;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A signed device over the real broker: a replayed desired state, old but still within its validity, for a target
 * the device answers to is refused (issue 11, item 2); and edgectl, which asks for replies under the device's reply
 * namespace, gets them (issue 11, item 7).
 */
class SignedDesiredIT {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ECDSA_P256);
    static final String PASSWORD = "signed desired test";
    static AgentFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("signed-d1");
        TrustDocument trust = new TrustDocument(1, Instant.now(), Map.<KeyId, VerificationKey>of(ROOT.id(), ROOT.publicKey(),
                OPERATOR.id(), OPERATOR.publicKey()), new Role(Set.of(ROOT.id()), 1), new Role(Set.of(OPERATOR.id()), 1),
                List.of(new ImageRule("*", Optional.empty())));
        Path trustFile = f.work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, trust.toJson(), List.of(ROOT)).toJson());
        Files.writeString(f.work.resolve("operator.key"), KeyPem.encryptedPrivatePem(OPERATOR, PASSWORD.toCharArray()));
        Files.writeString(f.work.resolve("password"), PASSWORD);
        f.trust = new AgentConfig.Trust(Optional.of(trustFile), false);
        f.groups = List.of("north");
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** A desired state with no apps, signed for {@code target} at {@code issued}, valid 90 days. */
    static String desired(String target, long version, Instant issued) {
        String doc = "{\"version\":" + version + ",\"target\":\"" + target + "\",\"apps\":[]}";
        return new String(new SignedOrder(target, "desired", issued, issued.plus(Duration.ofDays(90)), version,
                doc.getBytes(StandardCharsets.UTF_8)).signWith(List.of(OPERATOR)).toJson(), StandardCharsets.UTF_8);
    }

    @Test
    void anOldDeviceDocumentReplayedAfterAGroupReleaseIsRefusedAndLaterReleasesStillApply() throws Exception {
        Instant now = Instant.now();
        f.mqtt.publishRetained("edge/group/north/desired", desired("group:north", 7, now.minus(Duration.ofDays(1))));
        assertEquals(7, f.event("-", "desired.applied", 60).get("version"));

        // Signed for this device ten days ago: still valid, never applied here, older than what was accepted.
        f.mqtt.publishRetained("edge/signed-d1/desired", desired("signed-d1", 1, now.minus(Duration.ofDays(10))));
        Map<String, Object> refused = f.event("-", "desired.refused", 60);
        assertEquals("ROLLBACK_REFUSED", refused.get("code"), refused.toString());

        f.mqtt.publishRetained("edge/group/north/desired", desired("group:north", 8, now));
        Map<String, Object> applied = f.event("-", "desired.applied", 60);
        assertEquals(8, applied.get("version"), "a later group release is not blocked: " + applied);
        assertEquals("group:north", applied.get("target"));
        f.mqtt.publishRetained("edge/signed-d1/desired", "");
    }

    @Test
    void edgectlGetsItsRepliesUnderTheDevicesReplyNamespace() throws Exception {
        String single = edgectl("ping", "--device", "signed-d1", "--timeout", "30");
        assertTrue(single.contains("pong"), single);
        f.status("\"north\""); // the retained status names the group, so edgectl can find the device in it
        String group = edgectl("ping", "--group", "north", "--timeout", "30");
        assertTrue(group.contains("1 of 1 ok"), group);
    }

    private static String edgectl(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--broker", f.broker.uri(), "--key", f.work.resolve("operator.key").toString(), "--password-file",
                f.work.resolve("password").toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = Main.execute(print, print, all.toArray(new String[0]));
        String log = out.toString(StandardCharsets.UTF_8);
        System.err.print(log);
        assertEquals(0, exit, log);
        return log;
    }
}
