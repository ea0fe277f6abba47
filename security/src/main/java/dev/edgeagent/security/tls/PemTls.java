package dev.edgeagent.security.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An SSLContext from PEM files: the CA to trust and, for mutual TLS, the device's certificate chain and key
 * (PKCS#8, PKCS#1 RSA or SEC1 EC), read with the JDK alone: the agent connects without loading Bouncy Castle.
 */
public final class PemTls {
    private PemTls() {}

    /** Thrown with a sentence that names the file and what is wrong with it. */
    public static final class TlsMaterialException extends Exception {
        public TlsMaterialException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static SSLContext context(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) throws TlsMaterialException {
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new TlsMaterialException("mutual TLS needs both a certificate and a key file", null);
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates(caFile)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            DeviceKeyManager keyManager = null;
            if (certFile.isPresent()) {
                List<X509Certificate> chain = certificates(certFile.get());
                PrivateKey key = privateKey(keyFile.get());
                requirePair(chain.get(0), key, certFile.get(), keyFile.get());
                keyManager = new DeviceKeyManager(chain, key);
            }
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(keyManager == null ? null : new javax.net.ssl.KeyManager[] {keyManager}, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsMaterialException("TLS material unusable: " + e.getMessage(), e);
        }
    }

    /**
     * A key that is not the certificate's would only show as a handshake the broker breaks off; this says which
     * two files disagree. Checked by signing a few bytes with the key and verifying them with the certificate.
     */
    static void requirePair(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // an unusual key kind: the handshake is the judge
        }
        byte[] challenge = "edgeagent key pair check".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
        boolean matches;
        try {
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            matches = false;
        }
        if (!matches) {
            throw new GeneralSecurityException("the key in " + keyFile + " does not belong to the certificate in " + certFile);
        }
    }

    static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        for (PemBlock block : PemBlock.all(Files.readString(pem, StandardCharsets.US_ASCII))) {
            if (block.label().equals("CERTIFICATE")) {
                out.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(block.der())));
            }
        }
        if (out.isEmpty()) {
            throw new IOException(pem + " holds no PEM certificate");
        }
        return out;
    }

    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        for (PemBlock block : PemBlock.all(Files.readString(pem, StandardCharsets.US_ASCII))) {
            switch (block.label()) {
                case "PRIVATE KEY" -> {
                    return Pkcs8.privateKey(block.der());
                }
                case "EC PRIVATE KEY" -> {
                    return Pkcs8.privateKey(Pkcs8.fromSec1(block.der()));
                }
                case "RSA PRIVATE KEY" -> {
                    return Pkcs8.privateKey(Pkcs8.fromPkcs1(block.der()));
                }
                default -> { }
            }
        }
        throw new IOException(pem + " holds no unencrypted PEM private key");
    }
}
