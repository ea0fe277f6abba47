package dev.edgeagent.security.sign;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;

/** A private key and the public key beside it: what an operator or a build machine signs with. */
public record SigningKey(PrivateKey privateKey, VerificationKey publicKey) {
    public SigningKey {
        if (KeyKind.of(privateKey) != publicKey.kind()) {
            throw new IllegalArgumentException("private and public key are of different kinds");
        }
    }

    public KeyId id() {
        return publicKey.id();
    }

    public static SigningKey generate(KeyKind kind) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(kind.keyAlgorithm());
            switch (kind) {
                case ECDSA_P256 -> g.initialize(new ECGenParameterSpec("secp256r1"));
                case RSA -> g.initialize(3072);
                case ED25519 -> { }
            }
            KeyPair pair = g.generateKeyPair();
            return new SigningKey(pair.getPrivate(), VerificationKey.of(pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make " + kind + " keys", e);
        }
    }

    /** The signature over {@code message} in the key kind's scheme (see {@link KeyKind}). */
    public byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance(publicKey.kind().signatureAlgorithm());
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with key " + id().shortForm() + " failed", e);
        }
    }

    /** Pairs a private key read alone with its public key, which PKCS#8 files may not carry. */
    static SigningKey fromPrivate(PrivateKey key, PublicKey publicOrNull) throws GeneralSecurityException {
        PublicKey pub = publicOrNull;
        if (pub == null && key instanceof RSAPrivateCrtKey rsa) {
            pub = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        if (pub == null) {
            throw new GeneralSecurityException("the key file does not carry its public key");
        }
        return new SigningKey(key, VerificationKey.of(pub));
    }
}
