package dev.edgeagent.security.sign;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;

/** A public key that checks signatures, named by its {@link KeyId}. */
public record VerificationKey(KeyId id, KeyKind kind, PublicKey key) {
    public VerificationKey {
        if (!id.equals(KeyId.of(key))) {
            throw new IllegalArgumentException("key id " + id + " does not name this key");
        }
        if (kind != KeyKind.of(key)) {
            throw new IllegalArgumentException("key is " + KeyKind.of(key) + ", not " + kind);
        }
    }

    public static VerificationKey of(PublicKey key) {
        return new VerificationKey(KeyId.of(key), KeyKind.of(key), key);
    }

    /** True only when {@code signature} is this key's signature over exactly {@code message}. Never throws. */
    public boolean verifies(byte[] message, byte[] signature) {
        try {
            if (kind == KeyKind.ECDSA_P256 && key instanceof java.security.interfaces.ECPublicKey ec) {
                return CurveSignatures.verifiesEcdsaP256(ec, message, signature);
            }
            if (kind == KeyKind.ED25519) {
                return CurveSignatures.verifiesEd25519(key, message, signature);
            }
            Signature s = Signature.getInstance(kind.signatureAlgorithm());
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a malformed signature is simply not a valid one
        }
    }

    public String pem() {
        return KeyPem.publicPem(key);
    }
}
