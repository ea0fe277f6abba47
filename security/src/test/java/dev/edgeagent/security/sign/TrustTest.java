package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrustTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    final SigningKey root1 = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey root2 = SigningKey.generate(KeyKind.ED25519);
    final SigningKey operator = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey builder = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey stranger = SigningKey.generate(KeyKind.ECDSA_P256);

    static TrustDocument doc(long version, List<SigningKey> roots, int rootThreshold, List<SigningKey> operators, List<ImageRule> images,
            SigningKey... more) {
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        roots.forEach(k -> keys.put(k.id(), k.publicKey()));
        operators.forEach(k -> keys.put(k.id(), k.publicKey()));
        for (SigningKey k : more) {
            keys.put(k.id(), k.publicKey());
        }
        return new TrustDocument(version, NOW, keys, new Role(ids(roots), rootThreshold), new Role(ids(operators), 1), images);
    }

    static Set<KeyId> ids(List<SigningKey> keys) {
        return Set.copyOf(keys.stream().map(SigningKey::id).toList());
    }

    static byte[] signed(TrustDocument d, SigningKey... by) {
        return Envelope.sign(TrustDocument.PAYLOAD_TYPE, d.toJson(), List.of(by)).toJson();
    }

    TrustDocument initial() throws TrustFailure {
        TrustDocument d = doc(1, List.of(root1, root2), 2, List.of(operator),
                List.of(new ImageRule("localhost:5000/demo/*", Optional.of(new Role(Set.of(builder.id()), 1))), new ImageRule("*", Optional.empty())),
                builder);
        return TrustDocument.selfSigned(signed(d, root1, root2));
    }

    @Test
    void aDocumentNeedsItsRootThresholdToBeProvisioned() throws Exception {
        TrustDocument d = initial();
        var e = assertThrows(TrustFailure.class, () -> TrustDocument.selfSigned(signed(d, root1)));
        assertEquals(ErrorCode.BAD_SIGNATURE, e.code());
        assertTrue(e.getMessage().contains("1 valid signature(s)") && e.getMessage().contains("2 are required"), e.getMessage());
    }

    @Test
    void rotationNeedsTheCurrentRootsAHigherVersionAndTheNewRoots() throws Exception {
        TrustDocument current = initial();
        SigningKey newOperator = SigningKey.generate(KeyKind.ED25519);
        TrustDocument next = doc(2, List.of(root1, root2), 2, List.of(newOperator), current.images(), builder);

        TrustDocument accepted = current.successor(signed(next, root1, root2));
        assertEquals(2, accepted.version());
        assertEquals(Set.of(newOperator.id()), accepted.operators().keys());

        assertEquals(ErrorCode.BAD_SIGNATURE, assertThrows(TrustFailure.class, () -> current.successor(signed(next, root1))).code());
        assertEquals(ErrorCode.UNKNOWN_KEY, assertThrows(TrustFailure.class, () -> current.successor(signed(next, operator, stranger))).code());
        TrustDocument same = doc(1, List.of(root1, root2), 2, List.of(newOperator), current.images(), builder);
        assertEquals(ErrorCode.REPLAYED, assertThrows(TrustFailure.class, () -> current.successor(signed(same, root1, root2))).code());

        // a new root set must sign too: the old roots alone cannot hand the device to keys that never signed
        SigningKey newRoot = SigningKey.generate(KeyKind.RSA);
        TrustDocument handover = doc(3, List.of(newRoot), 1, List.of(operator), current.images(), builder);
        var e = assertThrows(TrustFailure.class, () -> current.successor(signed(handover, root1, root2)));
        assertTrue(e.getMessage().contains("its own root keys"), e.getMessage());
        assertEquals(3, current.successor(signed(handover, root1, root2, newRoot)).version());
    }

    SignedOrder order(String target, String command, Instant issued, Duration life, long seq) {
        return new SignedOrder(target, command, issued, issued.plus(life), seq, "{\"id\":\"op-1\",\"app\":\"demo\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSignedOrderOpensOnlyForItsTargetCommandAndPeriod() throws Exception {
        TrustDocument trust = initial();
        Set<String> targets = Set.of("gw-1", "group:north");
        byte[] ok = order("gw-1", "stop", NOW, Duration.ofMinutes(10), 7).signWith(List.of(operator)).toJson();
        SignedOrder.Verified v = SignedOrder.open(ok, "stop", targets, NOW, trust);
        assertEquals(7, v.statement().sequence());
        assertEquals(Set.of(operator.id()), v.signers());
        assertEquals(ErrorCode.UNSIGNED, assertThrows(TrustFailure.class,
                () -> SignedOrder.open("{\"id\":\"op-1\",\"app\":\"demo\"}".getBytes(StandardCharsets.UTF_8), "stop", targets, NOW, trust)).code());
        assertEquals(ErrorCode.UNKNOWN_KEY, assertThrows(TrustFailure.class,
                () -> SignedOrder.open(order("gw-1", "stop", NOW, Duration.ofMinutes(10), 7).signWith(List.of(stranger)).toJson(), "stop", targets, NOW, trust)).code());
        assertEquals(ErrorCode.WRONG_TARGET, assertThrows(TrustFailure.class,
                () -> SignedOrder.open(order("gw-2", "stop", NOW, Duration.ofMinutes(10), 7).signWith(List.of(operator)).toJson(), "stop", targets, NOW, trust)).code());
        assertEquals(ErrorCode.WRONG_TARGET, assertThrows(TrustFailure.class, () -> SignedOrder.open(ok, "remove", targets, NOW, trust)).code());
        assertEquals(ErrorCode.EXPIRED, assertThrows(TrustFailure.class, () -> SignedOrder.open(ok, "stop", targets, NOW.plus(Duration.ofMinutes(11)), trust)).code());
        // Issued an hour ahead of the device's clock: the device's clock is behind, and the refusal says so.
        TrustFailure early = assertThrows(TrustFailure.class, () -> SignedOrder.open(ok, "stop", targets, NOW.minus(Duration.ofHours(1)), trust));
        assertEquals(ErrorCode.CLOCK_SKEW, early.code());
        assertEquals(Duration.ofHours(-1), early.clock().orElseThrow().offset());
        assertEquals(Duration.ofMinutes(11), assertThrows(TrustFailure.class,
                () -> SignedOrder.open(ok, "stop", targets, NOW.plus(Duration.ofMinutes(11)), trust)).clock().orElseThrow().offset());
        SignedOrder.open(ok, "stop", targets, NOW.minus(Duration.ofMinutes(5)), trust); // 5 minutes of skew are tolerated
        SignedOrder.open(order("group:north", "stop", NOW, Duration.ofMinutes(10), 8).signWith(List.of(operator)).toJson(), "stop", targets, NOW, trust);

        // the envelope's signature covers the payload: a changed byte is a bad signature
        Envelope env = Envelope.parse(ok);
        byte[] payload = env.payload();
        payload[payload.length - 3] ^= 1;
        byte[] tampered = new Envelope(env.payloadType(), payload, env.signatures()).toJson();
        assertEquals(ErrorCode.BAD_SIGNATURE, assertThrows(TrustFailure.class, () -> SignedOrder.open(tampered, "stop", targets, NOW, trust)).code());
    }

    @Test
    void everyValidOperatorSignatureIsASignerNotOnlyTheLowest() throws Exception {
        SigningKey operator2 = SigningKey.generate(KeyKind.ED25519);
        TrustDocument trust = TrustDocument.selfSigned(signed(doc(1, List.of(root1), 1, List.of(operator, operator2), List.of()), root1));
        byte[] both = order("gw-1", "stop", NOW, Duration.ofMinutes(10), 9).signWith(List.of(operator2, operator, stranger)).toJson();
        assertEquals(Set.of(operator.id(), operator2.id()), SignedOrder.open(both, "stop", Set.of("gw-1"), NOW, trust).signers());
    }

    @Test
    void anExpiredDocumentIsReportedThenRefusesOrdersAfterTheGraceButStillTakesASuccessor() throws Exception {
        Instant expires = NOW.plus(Duration.ofDays(365));
        TrustDocument v1 = doc(1, List.of(root1), 1, List.of(operator), List.of()).with(Optional.of(expires), TrustDocument.RevokedImages.STOP);
        TrustDocument read = TrustDocument.selfSigned(signed(v1, root1));
        assertEquals(Optional.of(expires), read.expiresAt());
        assertEquals(TrustDocument.RevokedImages.STOP, read.revokedImages());

        Instant inGrace = expires.plus(Duration.ofDays(30));
        Instant lapsed = expires.plus(TrustDocument.EXPIRY_GRACE).plusSeconds(1);
        assertEquals(TrustDocument.Standing.VALID, read.standing(expires));
        assertEquals(TrustDocument.Standing.EXPIRED, read.standing(inGrace));
        assertEquals(TrustDocument.Standing.LAPSED, read.standing(lapsed));
        Set<String> targets = Set.of("gw-1");
        SignedOrder.open(order("gw-1", "stop", inGrace, Duration.ofMinutes(10), 1).signWith(List.of(operator)).toJson(), "stop", targets, inGrace, read);
        TrustFailure e = assertThrows(TrustFailure.class, () -> SignedOrder.open(order("gw-1", "stop", lapsed, Duration.ofMinutes(10), 2)
                .signWith(List.of(operator)).toJson(), "stop", targets, lapsed, read));
        assertEquals(ErrorCode.EXPIRED, e.code());
        assertTrue(e.getMessage().contains("trust document v1 expired"), e.getMessage());

        // years later, the root keys still hand the device a successor
        TrustDocument v2 = doc(2, List.of(root1), 1, List.of(operator), List.of()).with(Optional.of(lapsed.plus(Duration.ofDays(365))),
                TrustDocument.RevokedImages.REPORT);
        TrustDocument next = read.successor(signed(v2, root1));
        assertEquals(TrustDocument.Standing.VALID, next.standing(lapsed));
        SignedOrder.open(order("gw-1", "stop", lapsed, Duration.ofMinutes(10), 3).signWith(List.of(operator)).toJson(), "stop", targets, lapsed, next);

        assertThrows(IllegalArgumentException.class, () -> v1.with(Optional.of(NOW.minusSeconds(1)), TrustDocument.RevokedImages.REPORT));
        assertThrows(java.io.IOException.class, () -> TrustDocument.fromJson(new String(v1.toJson(), StandardCharsets.UTF_8)
                .replace("\"stop\"", "\"kill\"").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void imageSignaturesMustCoverThisDigestAndRepositoryWithTrustedKeys() throws Exception {
        TrustDocument trust = initial();
        String repo = "localhost:5000/demo/app";
        Digest digest = Digest.sha256Of("manifest".getBytes(StandardCharsets.UTF_8));
        ImageRule rule = trust.imageRule(repo).orElseThrow();
        byte[] payload = CosignSignatures.payload(repo, digest);
        assertEquals(Set.of(builder.id()), CosignSignatures.verify(List.of(new CosignSignatures.Signed(payload, builder.sign(payload))),
                digest, repo, rule, trust.keys()));

        Digest other = Digest.sha256Of("other".getBytes(StandardCharsets.UTF_8));
        byte[] forOther = CosignSignatures.payload(repo, other);
        var e = assertThrows(TrustFailure.class, () -> CosignSignatures.verify(
                List.of(new CosignSignatures.Signed(forOther, builder.sign(forOther))), digest, repo, rule, trust.keys()));
        assertTrue(e.getMessage().contains("signed digest " + other), e.getMessage());
        byte[] elsewhere = CosignSignatures.payload("localhost:5000/demo/other", digest);
        e = assertThrows(TrustFailure.class, () -> CosignSignatures.verify(
                List.of(new CosignSignatures.Signed(elsewhere, builder.sign(elsewhere))), digest, repo, rule, trust.keys()));
        assertTrue(e.getMessage().contains("repository localhost:5000/demo/other"), e.getMessage());
        e = assertThrows(TrustFailure.class, () -> CosignSignatures.verify(
                List.of(new CosignSignatures.Signed(payload, stranger.sign(payload))), digest, repo, rule, trust.keys()));
        assertTrue(e.getMessage().contains("none of its 1 signature(s) verifies"), e.getMessage());
        e = assertThrows(TrustFailure.class, () -> CosignSignatures.verify(List.of(), digest, repo, rule, trust.keys()));
        assertTrue(e.getMessage().contains("is not signed"), e.getMessage());

        ImageRule elsewhereRule = trust.imageRule("docker.io/library/busybox").orElseThrow();
        e = assertThrows(TrustFailure.class, () -> CosignSignatures.verify(
                List.of(new CosignSignatures.Signed(payload, builder.sign(payload))), digest, "docker.io/library/busybox", elsewhereRule, trust.keys()));
        assertTrue(e.getMessage().contains("refused by the trust policy"), e.getMessage());
    }

    @Test
    void twoOfThreeBuildersMeansTwoDistinctKeys() throws Exception {
        SigningKey b2 = SigningKey.generate(KeyKind.ED25519);
        SigningKey b3 = SigningKey.generate(KeyKind.RSA);
        Map<KeyId, VerificationKey> keys = Map.of(builder.id(), builder.publicKey(), b2.id(), b2.publicKey(), b3.id(), b3.publicKey());
        ImageRule rule = new ImageRule("localhost:5000/*", Optional.of(new Role(keys.keySet(), 2)));
        String repo = "localhost:5000/app";
        Digest d = Digest.sha256Of(new byte[] {1});
        byte[] p = CosignSignatures.payload(repo, d);
        var once = new CosignSignatures.Signed(p, builder.sign(p));
        var e = assertThrows(TrustFailure.class, () -> CosignSignatures.verify(List.of(once, once), d, repo, rule, keys));
        assertTrue(e.getMessage().contains("1 valid signature(s)"), e.getMessage());
        assertEquals(2, CosignSignatures.verify(List.of(once, new CosignSignatures.Signed(p, b3.sign(p))), d, repo, rule, keys).size());
    }

    @Test
    void theMostSpecificImageRuleWins() throws Exception {
        TrustDocument trust = initial();
        assertTrue(trust.imageRule("localhost:5000/demo/x").orElseThrow().signers().isPresent());
        assertTrue(trust.imageRule("localhost:5000/demox").orElseThrow().signers().isEmpty());
        assertTrue(trust.imageRule("ghcr.io/a/b").orElseThrow().signers().isEmpty());
    }
}
