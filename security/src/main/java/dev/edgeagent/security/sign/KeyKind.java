package dev.edgeagent.security.sign;

import java.math.BigInteger;
import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;

/**
 * The three key types cosign and this project sign with, and the signature scheme each implies: ECDSA P-256 with
 * SHA-256 (DER signatures), Ed25519 (pure, over the message), RSA PKCS#1 v1.5 with SHA-256 (2048 to 8192 bits,
 * public exponent 65537).
 */
public enum KeyKind {
    ECDSA_P256("EC", "SHA256withECDSA"),
    ED25519("Ed25519", "Ed25519"),
    RSA("RSA", "SHA256withRSA");

    /** The only RSA public exponent accepted (F4, what every tool generates). */
    static final BigInteger F4 = BigInteger.valueOf(65537);
    /** Larger moduli only cost verification time; cosign and openssl default to 2048-4096. */
    static final int MAX_RSA_BITS = 8192;

    private final String keyAlgorithm;
    private final String signatureAlgorithm;

    KeyKind(String keyAlgorithm, String signatureAlgorithm) {
        this.keyAlgorithm = keyAlgorithm;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String keyAlgorithm() {
        return keyAlgorithm;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** The name edgectl keygen takes. */
    public String cliName() {
        return switch (this) {
            case ECDSA_P256 -> "ecdsa-p256";
            case ED25519 -> "ed25519";
            case RSA -> "rsa";
        };
    }

    public static KeyKind fromCliName(String name) {
        for (KeyKind k : values()) {
            if (k.cliName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("key type '" + name + "' is not one of ecdsa-p256, ed25519, rsa");
    }

    /** The kind of {@code key}, refusing curves and sizes this project does not accept. */
    public static KeyKind of(Key key) {
        String alg = key.getAlgorithm();
        if (key instanceof ECKey ec) {
            ECParameterSpec p = ec.getParams();
            if (p.getCurve().getField().getFieldSize() != 256 || !p.getOrder().toString(16).startsWith("ffffffff00000000ffffffffffffffffbce6")) {
                throw new IllegalArgumentException("EC keys must be on curve P-256 (prime256v1)");
            }
            return ECDSA_P256;
        }
        if (key instanceof RSAKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("RSA keys must have at least 2048 bits, this one has " + rsa.getModulus().bitLength());
            }
            if (rsa.getModulus().bitLength() > MAX_RSA_BITS) {
                throw new IllegalArgumentException("RSA keys may have at most " + MAX_RSA_BITS + " bits, this one has "
                        + rsa.getModulus().bitLength());
            }
            // A huge public exponent makes every verification slow (milliseconds each, on the operations thread).
            BigInteger e = rsa instanceof RSAPublicKey pub ? pub.getPublicExponent()
                    : rsa instanceof RSAPrivateCrtKey crt ? crt.getPublicExponent() : F4;
            if (!F4.equals(e)) {
                throw new IllegalArgumentException("RSA keys must have the public exponent 65537, this one has "
                        + (e.bitLength() > 32 ? "a " + e.bitLength() + "-bit one" : e.toString()));
            }
            return RSA;
        }
        if ("Ed25519".equalsIgnoreCase(alg) || "EdDSA".equalsIgnoreCase(alg)) {
            return ED25519;
        }
        throw new IllegalArgumentException("key algorithm '" + alg + "' is not supported (ECDSA P-256, Ed25519 or RSA)");
    }
}
