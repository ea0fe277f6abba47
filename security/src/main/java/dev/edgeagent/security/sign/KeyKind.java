package dev.edgeagent.security.sign;

import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECParameterSpec;

/**
 * The three key types cosign and this project sign with, and the signature scheme each implies: ECDSA P-256 with
 * SHA-256 (DER signatures), Ed25519 (pure, over the message), RSA PKCS#1 v1.5 with SHA-256 (2048 bits or more).
 */
public enum KeyKind {
    ECDSA_P256("EC", "SHA256withECDSA"),
    ED25519("Ed25519", "Ed25519"),
    RSA("RSA", "SHA256withRSA");

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
            return RSA;
        }
        if ("Ed25519".equalsIgnoreCase(alg) || "EdDSA".equalsIgnoreCase(alg)) {
            return ED25519;
        }
        throw new IllegalArgumentException("key algorithm '" + alg + "' is not supported (ECDSA P-256, Ed25519 or RSA)");
    }
}
