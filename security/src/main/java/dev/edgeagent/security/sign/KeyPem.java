package dev.edgeagent.security.sign;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Keys as PEM text, read with Bouncy Castle so that what openssl and cosign write is read too: public keys as
 * SubjectPublicKeyInfo; private keys as PKCS#8 (plain or password-encrypted), SEC1 EC or PKCS#1 RSA. Keys this
 * project writes are PKCS#8 encrypted with AES-256-CBC under PBKDF2-HMAC-SHA256.
 */
public final class KeyPem {
    static final int PBKDF2_ITERATIONS = 200_000;

    /** Bouncy Castle's provider, made only when a key is encrypted or decrypted (edgectl): the agent never loads it. */
    private static final class Bc {
        static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    private KeyPem() {}

    /** Thrown with a sentence that says what is wrong with the key text. */
    public static final class KeyFormatException extends Exception {
        public KeyFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static VerificationKey readPublic(String pem) throws KeyFormatException {
        Object o = parse(pem);
        SubjectPublicKeyInfo spki;
        if (o instanceof SubjectPublicKeyInfo s) {
            spki = s;
        } else if (o instanceof PEMKeyPair pair) {
            spki = pair.getPublicKeyInfo();
        } else if (o instanceof org.bouncycastle.cert.X509CertificateHolder cert) {
            spki = cert.getSubjectPublicKeyInfo();
        } else {
            throw new KeyFormatException("expected a PEM public key (BEGIN PUBLIC KEY), found " + describe(o), null);
        }
        try {
            return VerificationKey.of(toPublic(spki));
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new KeyFormatException("unusable public key: " + e.getMessage(), e);
        }
    }

    /** Reads a private key; {@code password} is needed only when the PEM is encrypted. */
    public static SigningKey readPrivate(String pem, char[] password) throws KeyFormatException {
        Object o = parse(pem);
        try {
            PrivateKeyInfo info;
            SubjectPublicKeyInfo spki = null;
            if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                if (password == null || password.length == 0) {
                    throw new KeyFormatException("the key is encrypted and no password was given (EDGE_KEY_PASSWORD or --password-file)", null);
                }
                try {
                    info = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(password));
                } catch (PKCSException e) {
                    throw new KeyFormatException("the password does not open this key", e);
                }
            } else if (o instanceof PrivateKeyInfo p) {
                info = p;
            } else if (o instanceof PEMKeyPair pair) {
                info = pair.getPrivateKeyInfo();
                spki = pair.getPublicKeyInfo();
            } else {
                throw new KeyFormatException("expected a PEM private key, found " + describe(o), null);
            }
            if (spki == null) {
                spki = publicOf(info);
            }
            PrivateKey priv = KeyFactory.getInstance(jdkAlgorithm(info.getPrivateKeyAlgorithm().getAlgorithm()))
                    .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            return SigningKey.fromPrivate(priv, spki == null ? null : toPublic(spki));
        } catch (GeneralSecurityException | IOException | OperatorCreationException | IllegalArgumentException e) {
            throw new KeyFormatException("unusable private key: " + e.getMessage(), e);
        }
    }

    public static String publicPem(PublicKey key) {
        return write(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    }

    /** The private key as encrypted PKCS#8 PEM, which openssl reads too ({@code openssl pkey -in F}). */
    public static String encryptedPrivatePem(SigningKey key, char[] password) {
        if (password == null || password.length < 8) {
            throw new IllegalArgumentException("a key password must have at least 8 characters");
        }
        try {
            JceOpenSSLPKCS8EncryptorBuilder b = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC);
            b.setPassword(password);
            b.setIterationCount(PBKDF2_ITERATIONS);
            b.setPRF(JcaPKCS8Generator.PRF_HMACSHA256);
            b.setProvider(Bc.PROVIDER); // the JDK has no AES/CBC/PKCS7Padding; the BC provider is used here only, not registered
            return write(new JcaPKCS8Generator(key.privateKey(), b.build()));
        } catch (OperatorCreationException | org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("cannot encrypt the key", e);
        }
    }

    private static String write(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static Object parse(String pem) throws KeyFormatException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            if (o == null) {
                throw new KeyFormatException("no PEM block found", null);
            }
            return o;
        } catch (IOException | RuntimeException e) {
            throw new KeyFormatException("not readable as PEM: " + e.getMessage(), e);
        }
    }

    private static String describe(Object o) {
        return o.getClass().getSimpleName();
    }

    private static PublicKey toPublic(SubjectPublicKeyInfo spki) throws GeneralSecurityException, IOException {
        return KeyFactory.getInstance(jdkAlgorithm(spki.getAlgorithm().getAlgorithm())).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
    }

    private static String jdkAlgorithm(ASN1ObjectIdentifier oid) throws GeneralSecurityException {
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            return "EC";
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return "Ed25519";
        }
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return "RSA";
        }
        throw new GeneralSecurityException("key algorithm " + oid + " is not ECDSA, Ed25519 or RSA");
    }

    /** The public half of an EC or Ed25519 PKCS#8 key that does not carry it (openssl's Ed25519 files). */
    private static SubjectPublicKeyInfo publicOf(PrivateKeyInfo info) throws IOException {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            byte[] pub = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), pub);
        }
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
            X9ECParameters curve = ECNamedCurveTable.getByName("secp256r1");
            BigInteger d = ec.getKey();
            byte[] q = curve.getG().multiply(d).normalize().getEncoded(false);
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1), q);
        }
        return null; // RSA: the public key follows from the CRT private key
    }
}
