package dev.edgeagent.security.sigstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * A Fulcio code-signing certificate: its chain checked up to a pinned root at a given instant (the time a log
 * proved, not the device clock: the certificate lives ten minutes), its code-signing extended key usage, and the
 * identity it was issued to (OIDC issuer from Fulcio's extension, subject from the SAN).
 */
public final class FulcioCertificate {
    static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    /** Fulcio's OIDC issuer extension: v2 holds a DER UTF8String, v1 (deprecated) the raw string. */
    static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    /** The most certificates a chain may have, leaf included. */
    static final int MAX_CHAIN = 5;

    private FulcioCertificate() {}

    /** Why a certificate is not trusted. */
    public static final class ChainFailure extends Exception {
        public ChainFailure(String message) {
            super(message);
        }
    }

    /** The identity a certificate was issued to. */
    public record Identity(String issuer, String subject) {}

    /**
     * Checks that {@code leaf} chains to one of {@code pinned}'s self-signed roots through intermediates from
     * {@code pinned} or {@code bundleChain}, all valid at {@code at}, and that it is for code signing.
     */
    public static void validate(X509Certificate leaf, List<X509Certificate> bundleChain, List<X509Certificate> pinned, Instant at)
            throws ChainFailure {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku == null || !eku.contains(CODE_SIGNING)) {
                throw new ChainFailure("the certificate is not for code signing (extended key usage " + eku + ")");
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new ChainFailure("the certificate's extended key usage is unreadable: " + e.getMessage());
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        List<X509Certificate> intermediates = new ArrayList<>();
        for (X509Certificate c : pinned) {
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                anchors.add(new TrustAnchor(c, null));
            } else {
                intermediates.add(c);
            }
        }
        if (anchors.isEmpty()) {
            throw new ChainFailure("the trust document pins no Fulcio root certificate");
        }
        intermediates.addAll(bundleChain.subList(Math.min(1, bundleChain.size()), Math.min(bundleChain.size(), MAX_CHAIN)));
        List<X509Certificate> path = chain(leaf, intermediates, anchors);
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (java.security.cert.CertPathValidatorException e) {
            throw new ChainFailure("the certificate chain does not validate against the pinned Fulcio roots at " + at + ": "
                    + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ChainFailure("the certificate chain could not be checked: " + e.getMessage());
        }
    }

    /** The path from {@code leaf} up to (not including) an anchor, following issuer names. */
    private static List<X509Certificate> chain(X509Certificate leaf, Collection<X509Certificate> pool, Set<TrustAnchor> anchors)
            throws ChainFailure {
        List<X509Certificate> path = new ArrayList<>(List.of(leaf));
        X509Certificate at = leaf;
        while (path.size() <= MAX_CHAIN) {
            X509Certificate cur = at;
            if (anchors.stream().anyMatch(a -> a.getTrustedCert().getSubjectX500Principal().equals(cur.getIssuerX500Principal()))) {
                return path;
            }
            Optional<X509Certificate> next = pool.stream().filter(c -> c.getSubjectX500Principal().equals(cur.getIssuerX500Principal())
                    && !path.contains(c)).findFirst();
            if (next.isEmpty()) {
                throw new ChainFailure("the certificate chain does not lead to a pinned Fulcio root (issuer "
                        + cur.getIssuerX500Principal().getName() + " is neither pinned nor in the bundle)");
            }
            path.add(next.get());
            at = next.get();
        }
        throw new ChainFailure("the certificate chain is longer than " + MAX_CHAIN);
    }

    /** The OIDC issuer and the subject (first URI or email SAN) the certificate names. */
    public static Identity identity(X509Certificate leaf) throws ChainFailure {
        return new Identity(issuer(leaf), subject(leaf));
    }

    private static String issuer(X509Certificate leaf) throws ChainFailure {
        try {
            byte[] v2 = leaf.getExtensionValue(ISSUER_V2);
            if (v2 != null) {
                ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
                if (inner instanceof ASN1String s) {
                    return s.getString();
                }
            }
            byte[] v1 = leaf.getExtensionValue(ISSUER_V1);
            if (v1 != null) {
                return new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            throw new ChainFailure("the certificate's OIDC issuer extension is unreadable: " + e.getMessage());
        }
        throw new ChainFailure("the certificate has no Fulcio OIDC issuer extension");
    }

    private static String subject(X509Certificate leaf) throws ChainFailure {
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if ((type == 6 || type == 1) && san.get(1) instanceof String s) {
                        return s;
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new ChainFailure("the certificate's subject alternative name is unreadable: " + e.getMessage());
        }
        throw new ChainFailure("the certificate names no URI or email subject");
    }
}
