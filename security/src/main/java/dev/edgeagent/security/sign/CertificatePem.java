package dev.edgeagent.security.sign;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** X.509 certificates as PEM text (the form the trust document and edgectl keep Fulcio certificates in). */
public final class CertificatePem {
    private CertificatePem() {}

    /** Exactly one certificate from PEM text. */
    public static X509Certificate read(String pem) throws KeyPem.KeyFormatException {
        List<X509Certificate> all = readAll(pem);
        if (all.size() != 1) {
            throw new KeyPem.KeyFormatException("expected one PEM certificate, found " + all.size(), null);
        }
        return all.get(0);
    }

    /** Every certificate in PEM text (a bundle of a root and its intermediates). */
    public static List<X509Certificate> readAll(String pem) throws KeyPem.KeyFormatException {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException | RuntimeException e) {
            throw new KeyPem.KeyFormatException("unreadable PEM certificate: " + e.getMessage(), e);
        }
    }

    public static String write(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
