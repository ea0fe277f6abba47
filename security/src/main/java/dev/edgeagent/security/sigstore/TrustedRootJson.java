package dev.edgeagent.security.sigstore;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.SigstoreRoots;
import dev.edgeagent.security.sign.VerificationKey;
import java.io.IOException;
import java.security.KeyFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reads the Fulcio certificates and Rekor keys out of a trusted-root document in Sigstore's own format
 * ({@code application/vnd.dev.sigstore.trustedroot+json}: {@code certificateAuthorities[].certChain.certificates[]
 * .rawBytes}, {@code tlogs[].publicKey.rawBytes}), so an operator can pin what {@code cosign} itself trusts.
 */
public final class TrustedRootJson {
    private TrustedRootJson() {}

    public static SigstoreRoots read(byte[] json) throws IOException {
        Map<String, Object> root = Json.object(json);
        List<X509Certificate> certs = new ArrayList<>();
        for (Object ca : list(root.get("certificateAuthorities"))) {
            Object chain = ca instanceof Map<?, ?> m ? m.get("certChain") : null;
            Object cs = chain instanceof Map<?, ?> c ? c.get("certificates") : null;
            for (Object cert : list(cs)) {
                if (cert instanceof Map<?, ?> c && c.get("rawBytes") instanceof String raw) {
                    certs.add(BundleJson.certificate(raw));
                }
            }
        }
        List<VerificationKey> logs = new ArrayList<>();
        for (Object tlog : list(root.get("tlogs"))) {
            Object pk = tlog instanceof Map<?, ?> m ? m.get("publicKey") : null;
            if (pk instanceof Map<?, ?> p && p.get("rawBytes") instanceof String raw) {
                logs.add(publicKey(raw));
            }
        }
        if (certs.isEmpty() || logs.isEmpty()) {
            throw new IOException("the trusted root names " + certs.size() + " Fulcio certificate(s) and " + logs.size()
                    + " Rekor key(s); keyless verification needs both");
        }
        return new SigstoreRoots(certs, logs);
    }

    private static VerificationKey publicKey(String base64Der) throws IOException {
        byte[] der = Base64.getDecoder().decode(base64Der);
        for (String alg : List.of("EC", "Ed25519", "RSA")) {
            try {
                return VerificationKey.of(KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der)));
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                // try the next algorithm
            }
        }
        throw new IOException("a Rekor public key in the trusted root is not a usable ECDSA P-256, Ed25519 or RSA key");
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }
}
