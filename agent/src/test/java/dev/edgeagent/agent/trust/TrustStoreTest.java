package dev.edgeagent.agent.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.security.sign.VerificationKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    final SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey root2 = SigningKey.generate(KeyKind.ED25519);
    final SigningKey operator = SigningKey.generate(KeyKind.ED25519);
    final SigningKey attacker = SigningKey.generate(KeyKind.ECDSA_P256);
    @TempDir
    Path dir;

    static TrustDocument doc(long version, SigningKey rootKey, SigningKey operatorKey, SigningKey... more) {
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(rootKey, operatorKey)) {
            keys.put(k.id(), k.publicKey());
        }
        for (SigningKey k : more) {
            keys.put(k.id(), k.publicKey());
        }
        return new TrustDocument(version, NOW, keys, new Role(Set.of(rootKey.id()), 1), new Role(Set.of(operatorKey.id()), 1), List.of());
    }

    static byte[] signed(TrustDocument d, SigningKey... by) {
        return Envelope.sign(TrustDocument.PAYLOAD_TYPE, d.toJson(), List.of(by)).toJson();
    }

    TrustStore provisioned(byte[] envelope) throws Exception {
        Path given = dir.resolve("given.json");
        Files.write(given, envelope);
        return TrustStore.open(dir.resolve("trust"), given);
    }

    @Test
    void aDifferentDocumentUnderTheVersionInForceIsRefusedNotCheckedAgainstItsOwnKeys() throws Exception {
        TrustStore store = provisioned(signed(doc(1, root, operator), root));
        byte[] forged = signed(doc(1, attacker, attacker), attacker);
        TrustFailure e = assertThrows(TrustFailure.class, () -> store.rotate(forged));
        assertEquals(ErrorCode.REPLAYED, e.code());
        assertTrue(e.getMessage().contains("differs from the v1 in force"), e.getMessage());
        assertEquals(Set.of(operator.id()), store.current().operators().keys());
        assertArrayEquals(Files.readAllBytes(dir.resolve("given.json")), Files.readAllBytes(dir.resolve("trust/trust.json")));
    }

    @Test
    void theDocumentInForceArrivingAgainIsNoNewsHoweverItIsSigned() throws Exception {
        TrustDocument v1 = doc(1, root, operator);
        byte[] asProvisioned = signed(v1, root);
        TrustStore store = provisioned(asProvisioned);
        assertEquals(TrustStore.Outcome.ALREADY_IN_FORCE, store.rotate(asProvisioned));
        // the same bytes of the document, now with a second signature (a cosigned re-publication)
        byte[] cosigned = Envelope.parse(asProvisioned).cosignedBy(root2).toJson();
        assertEquals(TrustStore.Outcome.ALREADY_IN_FORCE, store.rotate(cosigned));
        assertArrayEquals(asProvisioned, Files.readAllBytes(dir.resolve("trust/trust.json")));
        List<Long> told = new java.util.ArrayList<>();
        store.onAccepted(d -> told.add(d.version()));
        assertEquals(TrustStore.Outcome.ACCEPTED, store.rotate(signed(doc(2, root, root2), root)));
        assertEquals(2, store.current().version());
        assertEquals(List.of(2L), told, "only a newly accepted document is announced");
    }

    @Test
    void anOversizedDocumentIsRefusedUnread() throws Exception {
        TrustStore store = provisioned(signed(doc(1, root, operator), root));
        byte[] huge = new byte[TrustDocument.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, assertThrows(TrustFailure.class, () -> store.rotate(huge)).code());
    }
}
