package dev.edgeagent.security.sigstore;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A Sigstore bundle (media types v0.1 to v0.3) as read from its JSON: how to verify it (a key hint, or a Fulcio
 * certificate with its chain), the transparency-log entries that prove when it was logged, and what was signed
 * (a DSSE envelope or a message signature over a digest).
 */
public record SigstoreBundle(Version version, Optional<String> publicKeyHint, List<X509Certificate> certificates,
        List<TlogEntry> tlogEntries, Optional<Dsse> dsse, Optional<MessageSignature> messageSignature) {

    /** The bundle format versions this reader takes, by their media type. */
    public enum Version {
        V0_1("application/vnd.dev.sigstore.bundle+json;version=0.1"),
        V0_2("application/vnd.dev.sigstore.bundle+json;version=0.2"),
        V0_3("application/vnd.dev.sigstore.bundle.v0.3+json");

        private final String mediaType;

        Version(String mediaType) {
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }

        /** The version a media type names; {@code ...bundle+json;version=0.3} is an accepted alias of v0.3. */
        public static Optional<Version> of(String mediaType) {
            for (Version v : values()) {
                if (v.mediaType.equals(mediaType)) {
                    return Optional.of(v);
                }
            }
            return "application/vnd.dev.sigstore.bundle+json;version=0.3".equals(mediaType) ? Optional.of(V0_3) : Optional.empty();
        }
    }

    /** A DSSE envelope with exactly one signature (what Sigstore writes). */
    public record Dsse(String payloadType, byte[] payload, byte[] signature) {
        public Dsse {
            payload = payload.clone();
            signature = signature.clone();
        }
    }

    /** A signature over a message of which the bundle carries only the SHA-256 digest. */
    public record MessageSignature(byte[] sha256, byte[] signature) {
        public MessageSignature {
            if (sha256.length != 32) {
                throw new IllegalArgumentException("a SHA2_256 message digest has 32 bytes, not " + sha256.length);
            }
            sha256 = sha256.clone();
            signature = signature.clone();
        }
    }

    /** One Rekor entry: the canonicalized body the log holds, its signed entry timestamp, its inclusion proof. */
    public record TlogEntry(long logIndex, byte[] logKeyId, String kind, long integratedTime, byte[] canonicalizedBody,
            Optional<byte[]> signedEntryTimestamp, Optional<InclusionProof> inclusionProof) {}

    /** An RFC 6962 inclusion proof and the signed checkpoint (a signed note) that commits to its root hash. */
    public record InclusionProof(long logIndex, long treeSize, byte[] rootHash, List<byte[]> hashes, String checkpoint) {
        public InclusionProof {
            hashes = List.copyOf(hashes);
        }
    }

    public SigstoreBundle {
        certificates = List.copyOf(certificates);
        tlogEntries = List.copyOf(tlogEntries);
        if (dsse.isPresent() == messageSignature.isPresent()) {
            throw new IllegalArgumentException("a bundle holds either a DSSE envelope or a message signature");
        }
    }

    /** The Fulcio certificate the signature was made with, when the bundle is keyless. */
    public Optional<X509Certificate> leaf() {
        return certificates.isEmpty() ? Optional.empty() : Optional.of(certificates.get(0));
    }

    public byte[] signature() {
        return dsse.map(Dsse::signature).orElseGet(() -> messageSignature.get().signature());
    }
}
