package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Image signatures in cosign's layout, checked offline with public keys: an OCI manifest at tag
 * {@code sha256-<hex>.sig} in the image's repository whose layers are simple-signing payloads, each with its
 * base64 signature in the {@code dev.cosignproject.cosign/signature} annotation.
 */
public final class CosignSignatures {
    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    public static final String PAYLOAD_TYPE_VALUE = "cosign container image signature";

    private CosignSignatures() {}

    /** One signature layer as fetched: its payload bytes (already checked against the layer digest) and signature. */
    public record Signed(byte[] payload, byte[] signature) {}

    public static String tagFor(Digest manifest) {
        return manifest.algorithm() + "-" + manifest.hex() + ".sig";
    }

    /** The simple-signing payload cosign writes for {@code repository} (registry/path) at {@code manifest}. */
    public static byte[] payload(String repository, Digest manifest) {
        Map<String, Object> critical = new LinkedHashMap<>();
        critical.put("identity", Map.of("docker-reference", repository));
        critical.put("image", Map.of("docker-manifest-digest", manifest.toString()));
        critical.put("type", PAYLOAD_TYPE_VALUE);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("critical", critical);
        root.put("optional", null);
        return Json.compact(root);
    }

    /**
     * The trusted keys that signed {@code manifest} of {@code repository}, at least as many as {@code rule} needs.
     * A payload naming another digest or repository counts for nothing, however well signed.
     */
    public static Set<KeyId> verify(List<Signed> signatures, Digest manifest, String repository, ImageRule rule,
            Map<KeyId, VerificationKey> keys) throws TrustFailure {
        String image = repository + "@" + manifest;
        if (rule.rejects()) {
            throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, "images from " + rule.scope() + " are refused by the trust policy");
        }
        if (rule.signers().isEmpty()) {
            throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + ": rule " + rule.scope()
                    + " trusts only keyless signers, and the legacy .sig layout holds no keyless signature");
        }
        Role role = rule.signers().get();
        if (signatures.isEmpty()) {
            throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + " is not signed (no signature at tag " + tagFor(manifest) + ")");
        }
        Set<KeyId> valid = new TreeSet<>();
        String mismatch = null;
        boolean anyKnownKeyVerified = false;
        for (Signed s : signatures) {
            for (KeyId id : role.keys()) {
                VerificationKey key = keys.get(id);
                if (key != null && key.verifies(s.payload(), s.signature())) {
                    anyKnownKeyVerified = true;
                    String why = claimMismatch(s.payload(), manifest, repository);
                    if (why == null) {
                        valid.add(id);
                    } else {
                        mismatch = why;
                    }
                }
            }
        }
        if (valid.size() >= role.threshold()) {
            return valid;
        }
        if (mismatch != null && valid.isEmpty()) {
            throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + ": a trusted key signed " + mismatch + ", not this image");
        }
        if (!anyKnownKeyVerified) {
            throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + ": none of its " + signatures.size()
                    + " signature(s) verifies against the keys trusted for " + rule.scope());
        }
        throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + " has " + valid.size() + " valid signature(s) from keys trusted for "
                + rule.scope() + "; " + role.threshold() + " are required");
    }

    /** The trusted keys of {@code role} with a valid signature over a payload about this image (no threshold). */
    public static Set<KeyId> validSigners(List<Signed> signatures, Digest manifest, String repository, Role role,
            Map<KeyId, VerificationKey> keys) {
        Set<KeyId> valid = new TreeSet<>();
        for (Signed s : signatures) {
            for (KeyId id : role.keys()) {
                VerificationKey key = keys.get(id);
                if (key != null && key.verifies(s.payload(), s.signature()) && claimMismatch(s.payload(), manifest, repository) == null) {
                    valid.add(id);
                }
            }
        }
        return valid;
    }

    /** Why the signed payload is not about this image, or null when it is. */
    @SuppressWarnings("unchecked")
    static String claimMismatch(byte[] payload, Digest manifest, String repository) {
        try {
            Map<String, Object> root = Json.object(payload);
            Map<String, Object> critical = (Map<String, Object>) root.get("critical");
            Object type = critical.get("type");
            Object digest = ((Map<String, Object>) critical.get("image")).get("docker-manifest-digest");
            Object reference = ((Map<String, Object>) critical.get("identity")).get("docker-reference");
            if (!PAYLOAD_TYPE_VALUE.equals(type)) {
                return "a payload of type '" + type + "'";
            }
            if (!manifest.toString().equals(digest)) {
                return "digest " + digest;
            }
            if (!repository.equals(reference)) {
                return "repository " + reference;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "an unreadable payload";
        }
    }
}
