package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What an attacker who can publish to the device's topics can make it parse or verify is bounded up front. */
class BoundedTrustInputTest {
    final SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey operator = SigningKey.generate(KeyKind.ED25519);

    TrustDocument doc(long version) {
        return TrustTest.doc(version, List.of(root), 1, List.of(operator), List.of());
    }

    @Test
    void aTrustDocumentOverTheCapIsRefusedBeforeItIsParsed() throws Exception {
        byte[] valid = TrustTest.signed(doc(2), root);
        TrustDocument current = TrustDocument.selfSigned(TrustTest.signed(doc(1), root));
        // JSON whitespace keeps the envelope valid: only its size is wrong
        byte[] padded = Arrays.copyOf(valid, TrustDocument.MAX_BYTES + 1);
        Arrays.fill(padded, valid.length, padded.length, (byte) ' ');
        for (var attempt : List.<TrustCall>of(() -> TrustDocument.selfSigned(padded), () -> current.successor(padded))) {
            TrustFailure e = assertThrows(TrustFailure.class, attempt::run);
            assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
            assertTrue(e.getMessage().contains("limit is " + TrustDocument.MAX_BYTES), e.getMessage());
        }
        assertEquals(2, current.successor(valid).version());
    }

    interface TrustCall {
        Object run() throws Exception;
    }

    @Test
    void envelopesHaveASizeAndSignatureCap() throws Exception {
        byte[] big = new byte[Envelope.DEFAULT_MAX_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        IOException tooBig = assertThrows(IOException.class, () -> Envelope.parse(big));
        assertTrue(tooBig.getMessage().contains("limit is " + Envelope.DEFAULT_MAX_BYTES), tooBig.getMessage());

        Envelope one = Envelope.sign(TrustDocument.PAYLOAD_TYPE, doc(1).toJson(), List.of(root));
        List<Envelope.Signature> many = new ArrayList<>(Collections.nCopies(Envelope.MAX_SIGNATURES + 1, one.signatures().get(0)));
        byte[] crowded = new Envelope(one.payloadType(), one.payload(), many).toJson();
        IOException e = assertThrows(IOException.class, () -> Envelope.parse(crowded));
        assertTrue(e.getMessage().contains("at most " + Envelope.MAX_SIGNATURES), e.getMessage());
        TrustFailure refused = assertThrows(TrustFailure.class, () -> TrustDocument.selfSigned(crowded));
        assertEquals(ErrorCode.UNSIGNED, refused.code());
    }

    @Test
    void aKeyIdClaimedTwiceIsVerifiedOnceAndTooManySignaturesNone() throws Exception {
        TrustDocument trust = TrustDocument.selfSigned(TrustTest.signed(doc(1), root));
        byte[] sig = root.sign(new byte[] {1});
        List<Threshold.Candidate> sameId = new ArrayList<>(Collections.nCopies(12,
                new Threshold.Candidate(Optional.of(root.id().value()), sig)));
        assertEquals(1, Threshold.plan(sameId, trust.root(), trust.keys(), "test").size());

        List<Threshold.Candidate> anonymous = new ArrayList<>(Collections.nCopies(Threshold.MAX_CANDIDATES + 1,
                new Threshold.Candidate(Optional.empty(), sig)));
        TrustFailure e = assertThrows(TrustFailure.class, () -> Threshold.plan(anonymous, trust.root(), trust.keys(), "image"));
        assertTrue(e.getMessage().contains("at most " + Threshold.MAX_CANDIDATES), e.getMessage());
        assertThrows(TrustFailure.class, () -> Threshold.require(new byte[] {1}, anonymous, trust.root(), trust.keys(), "image"));
    }

    @Test
    void rsaKeysMustUseExponent65537() throws Exception {
        RSAPublicKey real = (RSAPublicKey) SigningKey.generate(KeyKind.RSA).publicKey().key();
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        for (BigInteger e : List.of(BigInteger.valueOf(3), BigInteger.ONE.shiftLeft(3000).add(BigInteger.ONE))) {
            PublicKey odd = rsa.generatePublic(new RSAPublicKeySpec(real.getModulus(), e));
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> VerificationKey.of(odd));
            assertTrue(refused.getMessage().contains("65537"), refused.getMessage());
            var pem = assertThrows(KeyPem.KeyFormatException.class, () -> KeyPem.readPublic(KeyPem.publicPem(odd)));
            assertTrue(pem.getMessage().contains("65537"), pem.getMessage());
        }
        // and a trust document naming such a key is refused as unreadable
        PublicKey huge = rsa.generatePublic(new RSAPublicKeySpec(real.getModulus(), BigInteger.ONE.shiftLeft(3000).add(BigInteger.ONE)));
        Map<String, Object> m = new java.util.LinkedHashMap<>(Json.object(doc(1).toJson()));
        @SuppressWarnings("unchecked")
        Map<String, Object> keys = new java.util.LinkedHashMap<>((Map<String, Object>) m.get("keys"));
        keys.put(KeyId.of(huge).value(), KeyPem.publicPem(huge));
        m.put("keys", keys);
        IOException e = assertThrows(IOException.class, () -> TrustDocument.fromJson(Json.compact(m)));
        assertTrue(e.getMessage().contains("65537"), e.getMessage());
        assertEquals(Set.of(root.id()), TrustDocument.fromJson(doc(1).toJson()).root().keys());
    }
}
