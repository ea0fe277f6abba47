package dev.edgeagent.security.sign;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The Sigstore material a device trusts for keyless image signatures, pinned in the trust document so nothing is
 * fetched at verification time: Fulcio root and intermediate certificates, and the Rekor log's public keys.
 */
public record SigstoreRoots(List<X509Certificate> fulcio, List<VerificationKey> rekor) {
    public static final SigstoreRoots NONE = new SigstoreRoots(List.of(), List.of());

    public SigstoreRoots {
        fulcio = List.copyOf(fulcio);
        rekor = List.copyOf(rekor);
    }

    public boolean isEmpty() {
        return fulcio.isEmpty() && rekor.isEmpty();
    }
}
