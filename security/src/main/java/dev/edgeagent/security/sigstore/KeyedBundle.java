package dev.edgeagent.security.sigstore;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.SigningKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the keyed Sigstore bundle (v0.3) that {@code cosign sign --key} writes for an image: a DSSE envelope over
 * an in-toto statement whose subject is the manifest digest and whose predicate type is cosign's sign predicate,
 * with the key named only by a hint (no certificate, no log entry: a device checks it with the pinned key).
 */
public final class KeyedBundle {
    private KeyedBundle() {}

    /** The in-toto statement for {@code repository} (registry/path) at {@code manifest}. */
    public static byte[] statement(String repository, Digest manifest) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_type", "https://in-toto.io/Statement/v1");
        m.put("subject", List.of(Map.of("name", repository, "digest", Map.of("sha256", manifest.hex()))));
        m.put("predicateType", BundleVerifier.COSIGN_SIGN_PREDICATE);
        m.put("predicate", Map.of());
        return Json.compact(m);
    }

    /** The bundle's JSON bytes for {@code manifest}, signed with {@code key}. */
    public static byte[] sign(String repository, Digest manifest, SigningKey key) {
        byte[] payload = statement(repository, manifest);
        byte[] sig = key.sign(Envelope.pae(BundleVerifier.IN_TOTO_PAYLOAD_TYPE, payload));
        Base64.Encoder b64 = Base64.getEncoder();
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("payload", b64.encodeToString(payload));
        envelope.put("payloadType", BundleVerifier.IN_TOTO_PAYLOAD_TYPE);
        envelope.put("signatures", List.of(Map.of("sig", b64.encodeToString(sig), "keyid", "")));
        Map<String, Object> material = new LinkedHashMap<>();
        material.put("publicKey", Map.of("hint", key.id().value()));
        material.put("tlogEntries", List.of());
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("mediaType", SigstoreBundle.Version.V0_3.mediaType());
        bundle.put("verificationMaterial", material);
        bundle.put("dsseEnvelope", envelope);
        return Json.compact(bundle);
    }
}
