package dev.edgeagent.ota.sign;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.registry.FetchedManifest;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RegistryTransport;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.CosignSignatures;
import dev.edgeagent.security.sign.SigningKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signs an image the way cosign does and stores the signature beside it (tag {@code sha256-<hex>.sig}); a
 * signature already there from another key is kept, so k-of-n policies can be met by several signers.
 */
public final class CosignPublisher {
    private final RegistryClient registry;

    public CosignPublisher(RegistryClient registry) {
        this.registry = registry;
    }

    /** What was signed: the repository, the manifest digest, and the tag the signature is stored at. */
    public record Published(String repository, Digest manifest, String tag, int signatures) {}

    /** Resolves {@code ref} (a tag is pinned to its digest), signs it with {@code key} and pushes the signature. */
    public Published sign(ImageRef ref, SigningKey key) throws OtaException {
        Digest manifest = ref.digest().isPresent() ? ref.requireDigest() : registry.resolveTag(ref).digest();
        String repository = CosignVerifier.repositoryOf(ref);
        byte[] payload = CosignSignatures.payload(repository, manifest);
        String signature = Base64.getEncoder().encodeToString(key.sign(payload));
        String tag = CosignSignatures.tagFor(manifest);
        ImageRef sigRef = ImageRef.parse(repository + ":" + tag);

        List<SignatureManifest.Layer> layers = new ArrayList<>();
        Optional<FetchedManifest> existing = registry.manifestAtTag(sigRef, tag);
        if (existing.isPresent()) {
            try {
                layers.addAll(SignatureManifest.parse(existing.get().bytes()).layers());
            } catch (IOException e) {
                throw new OtaException(ErrorCode.REGISTRY_ERROR, "the signature manifest already at " + tag + " is unreadable: " + e.getMessage());
            }
        }
        Digest payloadDigest = Digest.sha256Of(payload);
        layers.removeIf(l -> l.payload().digest().equals(payloadDigest) && l.signatureBase64().equals(signature));
        layers.add(new SignatureManifest.Layer(new Descriptor(CosignSignatures.PAYLOAD_MEDIA_TYPE, payloadDigest, payload.length), signature));

        RegistryTransport http = registry.transport();
        for (SignatureManifest.Layer l : layers) {
            if (l.payload().digest().equals(payloadDigest)) {
                uploadBlob(http, ref, payload);
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "");
        config.put("os", "");
        config.put("config", Map.of());
        config.put("rootfs", Map.of("type", "layers", "diff_ids", layers.stream().map(l -> l.payload().digest().toString()).toList()));
        byte[] configBytes = Json.compact(config);
        uploadBlob(http, ref, configBytes);
        byte[] manifestBytes = new SignatureManifest(layers).toJson(
                new Descriptor(SignatureManifest.OCI_CONFIG, Digest.sha256Of(configBytes), configBytes.length));
        URI uri = http.base(ref.registry()).resolve(ref.repository() + "/manifests/" + tag);
        HttpResponse<String> r = http.upload(ref.registry(), "PUT", uri, Map.of("Content-Type", SignatureManifest.OCI_MANIFEST), manifestBytes);
        if (r.statusCode() != 201) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + ref.registry() + " refused the signature manifest: HTTP "
                    + r.statusCode() + " " + r.body());
        }
        return new Published(repository, manifest, tag, layers.size());
    }

    /** Pushes one blob by the registry's monolithic upload (POST, then PUT with its digest). */
    public static void uploadBlob(RegistryTransport http, ImageRef ref, byte[] blob) throws OtaException {
        Digest d = Digest.sha256Of(blob);
        URI start = http.base(ref.registry()).resolve(ref.repository() + "/blobs/uploads/");
        HttpResponse<String> s = http.upload(ref.registry(), "POST", start, Map.of(), new byte[0]);
        String location = s.headers().firstValue("Location").orElse(null);
        if (s.statusCode() != 202 || location == null) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + ref.registry() + " did not start an upload: HTTP " + s.statusCode());
        }
        URI put = start.resolve(location);
        URI withDigest = URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest=" + d);
        HttpResponse<String> done = http.upload(ref.registry(), "PUT", withDigest, Map.of("Content-Type", "application/octet-stream"), blob);
        if (done.statusCode() != 201) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + ref.registry() + " refused blob " + d + ": HTTP " + done.statusCode());
        }
    }
}
