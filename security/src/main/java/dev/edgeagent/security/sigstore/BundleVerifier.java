package dev.edgeagent.security.sigstore;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeylessIdentity;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.SigstoreRoots;
import dev.edgeagent.security.sign.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks one Sigstore bundle against an image rule, offline: what was signed must be this manifest (an in-toto
 * statement whose subject is the digest, or a message signature over it); keyed bundles must verify with a key
 * the rule names; keyless ones need a Rekor entry proven by a pinned log key, a Fulcio certificate that chains to a
 * pinned root at the time the log proves, and an identity the rule allows.
 */
public final class BundleVerifier {
    public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
    /** The predicate type cosign writes into the statement it signs for {@code cosign sign}. */
    public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

    private BundleVerifier() {}

    /** What failed, so refusals name it. */
    public enum Failure {
        UNREADABLE("unreadable bundle"),
        WRONG_KEY("wrong key"),
        SIGNATURE_INVALID("signature invalid"),
        IDENTITY_NOT_ALLOWED("identity not allowed"),
        CERTIFICATE_CHAIN("certificate chain"),
        REKOR_PROOF("Rekor proof"),
        SUBJECT_MISMATCH("subject digest mismatch"),
        NOT_A_SIGNATURE("not an image signature");

        private final String label;

        Failure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One bundle's verdict: the key or identity that signed this image, or what failed and why. */
    public record Verdict(Optional<KeyId> key, Optional<String> identity, Optional<Failure> failure, String detail) {
        static Verdict key(KeyId id) {
            return new Verdict(Optional.of(id), Optional.empty(), Optional.empty(), "signed by key " + id.shortForm());
        }

        static Verdict identity(String who) {
            return new Verdict(Optional.empty(), Optional.of(who), Optional.empty(), "signed keyless by " + who);
        }

        static Verdict refused(Failure f, String detail) {
            return new Verdict(Optional.empty(), Optional.empty(), Optional.of(f), f.label() + ": " + detail);
        }

        public boolean accepted() {
            return failure.isEmpty();
        }
    }

    public static Verdict verify(byte[] bundleJson, Digest manifest, ImageRule rule, Map<KeyId, VerificationKey> keys,
            SigstoreRoots roots) {
        SigstoreBundle bundle;
        try {
            bundle = BundleJson.parse(bundleJson);
        } catch (java.io.IOException e) {
            return Verdict.refused(Failure.UNREADABLE, e.getMessage());
        }
        return verify(bundle, manifest, rule, keys, roots);
    }

    public static Verdict verify(SigstoreBundle bundle, Digest manifest, ImageRule rule, Map<KeyId, VerificationKey> keys,
            SigstoreRoots roots) {
        Optional<Verdict> content = contentMismatch(bundle, manifest);
        return bundle.leaf().isPresent() ? keyless(bundle, manifest, rule, roots, content) : keyed(bundle, manifest, rule, keys, content);
    }

    private static Verdict keyed(SigstoreBundle bundle, Digest manifest, ImageRule rule, Map<KeyId, VerificationKey> keys,
            Optional<Verdict> content) {
        if (rule.signers().isEmpty()) {
            return Verdict.refused(Failure.WRONG_KEY, "a keyed bundle, and rule " + rule.scope() + " trusts no keys (only keyless identities)");
        }
        for (KeyId id : rule.signers().get().sortedKeys()) {
            VerificationKey key = keys.get(id);
            if (key != null && signatureVerifies(bundle, key)) {
                return content.orElseGet(() -> Verdict.key(id));
            }
        }
        return Verdict.refused(Failure.WRONG_KEY, "its signature verifies with none of the " + rule.signers().get().keys().size()
                + " key(s) trusted for " + rule.scope());
    }

    private static Verdict keyless(SigstoreBundle bundle, Digest manifest, ImageRule rule, SigstoreRoots roots, Optional<Verdict> content) {
        X509Certificate leaf = bundle.leaf().get();
        if (rule.identities().isEmpty()) {
            return Verdict.refused(Failure.IDENTITY_NOT_ALLOWED, "a keyless bundle, and rule " + rule.scope() + " allows no keyless identities");
        }
        if (roots.fulcio().isEmpty() || roots.rekor().isEmpty()) {
            return Verdict.refused(Failure.CERTIFICATE_CHAIN, "a keyless bundle, and the trust document pins no Fulcio roots or Rekor keys");
        }
        // The signature first: a log entry or certificate proves nothing about a payload its key did not sign.
        VerificationKey certKey;
        try {
            certKey = VerificationKey.of(leaf.getPublicKey());
        } catch (IllegalArgumentException e) {
            return Verdict.refused(Failure.CERTIFICATE_CHAIN, "the certificate's key is not usable: " + e.getMessage());
        }
        if (!signatureVerifies(bundle, certKey)) {
            return Verdict.refused(Failure.SIGNATURE_INVALID, "the signature does not verify with the key of its own certificate (content altered)");
        }
        Instant signedAt = null;
        String proofFailure = "the bundle has no Rekor entry, so nothing proves when the short-lived certificate was used";
        for (SigstoreBundle.TlogEntry e : bundle.tlogEntries()) {
            try {
                Instant t = RekorProof.verify(e, roots.rekor());
                if (!entryBindsBundle(e, bundle, leaf)) {
                    proofFailure = "Rekor entry " + e.logIndex() + " records another signature or certificate";
                    continue;
                }
                signedAt = t;
                break;
            } catch (RekorProof.ProofFailure f) {
                proofFailure = f.getMessage();
            }
        }
        if (signedAt == null) {
            // Without a proven time the certificate can only be judged at the device's clock, where it has expired.
            try {
                FulcioCertificate.validate(leaf, bundle.certificates(), roots.fulcio(), Instant.now());
            } catch (FulcioCertificate.ChainFailure c) {
                return Verdict.refused(Failure.CERTIFICATE_CHAIN, c.getMessage() + " (and " + proofFailure + ")");
            }
            return Verdict.refused(Failure.REKOR_PROOF, proofFailure);
        }
        try {
            FulcioCertificate.validate(leaf, bundle.certificates(), roots.fulcio(), signedAt);
            FulcioCertificate.Identity who = FulcioCertificate.identity(leaf);
            Optional<KeylessIdentity> allowed = rule.identities().stream().filter(i -> i.matches(who.issuer(), who.subject())).findFirst();
            if (allowed.isEmpty()) {
                return Verdict.refused(Failure.IDENTITY_NOT_ALLOWED, "signed by " + who.subject() + " (issuer " + who.issuer()
                        + "), which rule " + rule.scope() + " does not allow");
            }
            Instant at = signedAt;
            return content.orElseGet(() -> Verdict.identity("keyless " + who.subject() + " (issuer " + who.issuer() + ", Rekor-proven at "
                    + at + ")"));
        } catch (FulcioCertificate.ChainFailure c) {
            return Verdict.refused(Failure.CERTIFICATE_CHAIN, c.getMessage());
        }
    }

    /** True when the signature verifies with {@code key} over the DSSE PAE or the message digest. */
    static boolean signatureVerifies(SigstoreBundle bundle, VerificationKey key) {
        if (bundle.dsse().isPresent()) {
            SigstoreBundle.Dsse d = bundle.dsse().get();
            return key.verifies(Envelope.pae(d.payloadType(), d.payload()), d.signature());
        }
        SigstoreBundle.MessageSignature m = bundle.messageSignature().get();
        return verifiesDigest(key, m.sha256(), m.signature());
    }

    /** ECDSA and RSA signatures over a SHA-256 message, checked from its digest alone (Ed25519 cannot be). */
    static boolean verifiesDigest(VerificationKey key, byte[] sha256, byte[] sig) {
        try {
            Signature s;
            byte[] input = sha256;
            if (key.kind() == KeyKind.ECDSA_P256) {
                s = Signature.getInstance("NONEwithECDSA");
            } else if (key.kind() == KeyKind.RSA) {
                s = Signature.getInstance("NONEwithRSA");
                byte[] prefix = java.util.HexFormat.of().parseHex("3031300d060960864801650304020105000420");
                input = new byte[prefix.length + sha256.length];
                System.arraycopy(prefix, 0, input, 0, prefix.length);
                System.arraycopy(sha256, 0, input, prefix.length, sha256.length);
            } else {
                return false;
            }
            s.initVerify(key.key());
            s.update(input);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Why the signed content is not a signature of {@code manifest}, if it is not. */
    static Optional<Verdict> contentMismatch(SigstoreBundle bundle, Digest manifest) {
        if (bundle.messageSignature().isPresent()) {
            Digest signed = Digest.fromMessageDigest(bundle.messageSignature().get().sha256());
            return signed.equals(manifest) ? Optional.empty()
                    : Optional.of(Verdict.refused(Failure.SUBJECT_MISMATCH, "the message signature is over " + signed + ", not " + manifest
                            + " (a bundle for another image)"));
        }
        SigstoreBundle.Dsse d = bundle.dsse().get();
        if (!IN_TOTO_PAYLOAD_TYPE.equals(d.payloadType())) {
            return Optional.of(Verdict.refused(Failure.NOT_A_SIGNATURE, "the envelope holds '" + d.payloadType() + "', not an in-toto statement"));
        }
        InTotoStatement statement;
        try {
            statement = InTotoStatement.parse(d.payload());
        } catch (java.io.IOException e) {
            return Optional.of(Verdict.refused(Failure.UNREADABLE, "the in-toto statement: " + e.getMessage()));
        }
        if (!statement.subjects().contains(manifest)) {
            return Optional.of(Verdict.refused(Failure.SUBJECT_MISMATCH, "the statement is about " + statement.subjects() + ", not " + manifest
                    + " (a bundle for another image)"));
        }
        if (!COSIGN_SIGN_PREDICATE.equals(statement.predicateType())) {
            return Optional.of(Verdict.refused(Failure.NOT_A_SIGNATURE, "an attestation of type " + statement.predicateType()
                    + ", not a signature (" + COSIGN_SIGN_PREDICATE + ")"));
        }
        return Optional.empty();
    }

    /**
     * True when the log entry's body records this bundle's signature and certificate (as Rekor's dsse, intoto and
     * hashedrekord entries do, in the entry itself or in the envelope it holds), so an entry proven for another
     * signature cannot lend its time to this one.
     */
    static boolean entryBindsBundle(SigstoreBundle.TlogEntry e, SigstoreBundle bundle, X509Certificate leaf) {
        List<String> strings = new ArrayList<>();
        try {
            collect(dev.edgeagent.protocol.wire.Json.object(e.canonicalizedBody()), strings, 0);
        } catch (java.io.IOException ex) {
            return false;
        }
        String sig = Base64.getEncoder().encodeToString(bundle.signature());
        boolean sigFound = false;
        boolean certFound = false;
        for (String s : strings) {
            sigFound |= s.equals(sig);
            certFound |= namesCertificate(s, leaf);
        }
        return sigFound && certFound;
    }

    private static void collect(Object o, List<String> out, int depth) {
        if (depth > 8 || out.size() > 256) {
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.values().forEach(v -> collect(v, out, depth + 1));
        } else if (o instanceof List<?> l) {
            l.forEach(v -> collect(v, out, depth + 1));
        } else if (o instanceof String s) {
            out.add(s);
            if (s.startsWith("{")) {
                try {
                    collect(dev.edgeagent.protocol.wire.Json.object(s.getBytes(StandardCharsets.UTF_8)), out, depth + 1);
                } catch (java.io.IOException ignored) {
                    // a string that only looks like JSON is just a string
                }
            }
        }
    }

    private static boolean namesCertificate(String s, X509Certificate leaf) {
        if (s.length() < 100) {
            return false;
        }
        try {
            String pem = new String(Base64.getDecoder().decode(s), StandardCharsets.US_ASCII);
            if (!pem.contains("BEGIN CERTIFICATE")) {
                return false;
            }
            X509Certificate c = dev.edgeagent.security.sign.CertificatePem.readAll(pem).get(0);
            return java.util.Arrays.equals(c.getEncoded(), leaf.getEncoded());
        } catch (IllegalArgumentException | dev.edgeagent.security.sign.KeyPem.KeyFormatException | CertificateEncodingException
                | IndexOutOfBoundsException e) {
            return false;
        }
    }
}
