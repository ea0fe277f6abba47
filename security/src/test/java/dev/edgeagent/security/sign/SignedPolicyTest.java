package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.ErrorCode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A policy is signed by the trust document's policy role, never by an operator key, for this device or its group. */
class SignedPolicyTest {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey SECURITY = SigningKey.generate(KeyKind.ED25519);
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Map<String, Object> PROFILE = Map.of("name", "strict", "platform", "linux/amd64");

    static TrustDocument trust(boolean withPolicy) {
        TrustDocument d = new TrustDocument(1, NOW, Map.of(ROOT.id(), ROOT.publicKey(), OPERATOR.id(), OPERATOR.publicKey(),
                SECURITY.id(), SECURITY.publicKey()), new Role(Set.of(ROOT.id()), 1), new Role(Set.of(OPERATOR.id()), 1), List.of());
        return withPolicy ? d.withPolicy(Optional.of(new Role(Set.of(SECURITY.id()), 1))) : d;
    }

    static byte[] policy(String target, SigningKey key) {
        return new SignedPolicy(target, 3, NOW, SignedPolicy.Enforcement.STOP, PROFILE).signWith(List.of(key)).toJson();
    }

    @Test
    void aPolicySignedByThePolicyKeyOpensWithItsVersionEnforcementAndDigest() throws Exception {
        SignedPolicy.Verified v = SignedPolicy.open(policy("group:north", SECURITY), Set.of("gw-1", "group:north"), NOW, trust(true));
        assertEquals(3, v.statement().version());
        assertEquals(SignedPolicy.Enforcement.STOP, v.statement().enforcement());
        assertEquals("strict", v.statement().profile().get("name"));
        assertEquals(Set.of(SECURITY.id()), v.signers());
        assertTrue(v.digest().toString().startsWith("sha256:"));
    }

    @Test
    void anOperatorKeyCannotSignAPolicy() {
        TrustFailure e = assertThrows(TrustFailure.class, () -> SignedPolicy.open(policy("gw-1", OPERATOR), Set.of("gw-1"), NOW, trust(true)));
        assertEquals(ErrorCode.UNKNOWN_KEY, e.code(), e.getMessage());
    }

    @Test
    void withoutAPolicyRoleNoKeyMaySignAPolicy() {
        TrustFailure e = assertThrows(TrustFailure.class, () -> SignedPolicy.open(policy("gw-1", SECURITY), Set.of("gw-1"), NOW, trust(false)));
        assertEquals(ErrorCode.UNKNOWN_KEY, e.code());
        assertTrue(e.getMessage().contains("names no policy role"), e.getMessage());
    }

    @Test
    void aPolicyKeyCannotSignAnOrder() {
        byte[] order = new SignedOrder("gw-1", "stop", NOW, NOW.plusSeconds(60), 1, "{\"id\":\"o\",\"app\":\"a\"}".getBytes())
                .signWith(List.of(SECURITY)).toJson();
        TrustFailure e = assertThrows(TrustFailure.class, () -> SignedOrder.open(order, "stop", Set.of("gw-1"), NOW, trust(true)));
        assertEquals(ErrorCode.UNKNOWN_KEY, e.code());
    }

    @Test
    void aPolicyForAnotherDeviceOrAnOrderEnvelopeIsRefused() {
        assertEquals(ErrorCode.WRONG_TARGET, assertThrows(TrustFailure.class,
                () -> SignedPolicy.open(policy("gw-2", SECURITY), Set.of("gw-1"), NOW, trust(true))).code());
        byte[] order = new SignedOrder("gw-1", "policy", NOW, NOW.plusSeconds(60), 1, "{}".getBytes()).signWith(List.of(SECURITY)).toJson();
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(TrustFailure.class,
                () -> SignedPolicy.open(order, Set.of("gw-1"), NOW, trust(true))).code());
    }

    @Test
    void theRolesMayNotShareAKeyAndThePolicyRoleSurvivesTheDocumentsJson() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> trust(false).withPolicy(Optional.of(new Role(Set.of(OPERATOR.id()), 1))));
        TrustDocument back = TrustDocument.fromJson(trust(true).toJson());
        assertEquals(Optional.of(new Role(Set.of(SECURITY.id()), 1)), back.policy());
        assertEquals(Optional.empty(), TrustDocument.fromJson(trust(false).toJson()).policy());
    }
}
