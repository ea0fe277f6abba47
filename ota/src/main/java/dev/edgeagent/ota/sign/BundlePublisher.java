package dev.edgeagent.ota.sign;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.FetchedManifest;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RegistryTransport;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sigstore.KeyedBundle;
import dev.edgeagent.security.sigstore.SigstoreBundle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signs an image the way cosign 3 does by default and attaches the bundle as an OCI 1.1 referrer (cosign's bundle
 * spec): the bundle blob, an artifact manifest whose subject is the image, and, where the registry has no referrers
 * API, the referrers tag schema's index at {@code sha256-<hex>} (other referrers there are kept).
 */
public final class BundlePublisher {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

    private final RegistryClient registry;

    public BundlePublisher(RegistryClient registry) {
        this.registry = registry;
    }

    /** What was signed, the bundle manifest's digest, and where the referrer is listed. */
    public record Published(String repository, Digest manifest, Digest bundleManifest, String listedAt) {}

    public Published sign(ImageRef ref, SigningKey key) throws OtaException {
        FetchedManifest subject = ref.digest().isPresent() ? registry.manifest(ref, ref.requireDigest()) : registry.resolveTag(ref);
        String repository = CosignVerifier.repositoryOf(ref);
        byte[] bundle = KeyedBundle.sign(repository, subject.digest(), key);
        RegistryTransport http = registry.transport();
        CosignPublisher.uploadBlob(http, ref, bundle);
        CosignPublisher.uploadBlob(http, ref, EMPTY);
        String type = SigstoreBundle.Version.V0_3.mediaType();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", OCI_MANIFEST);
        m.put("artifactType", type);
        m.put("config", descriptor(Referrers.EMPTY_CONFIG, Digest.sha256Of(EMPTY), EMPTY.length, null));
        m.put("layers", List.of(descriptor(type, Digest.sha256Of(bundle), bundle.length,
                Map.of("org.opencontainers.image.title", "sha256-" + Digest.sha256Of(bundle).hex() + ".sigstore.json"))));
        m.put("subject", descriptor(subject.mediaType().isEmpty() ? OCI_MANIFEST : subject.mediaType(), subject.digest(),
                subject.bytes().length, null));
        m.put("annotations", Map.of("dev.sigstore.bundle.content", "dsse-envelope",
                "dev.sigstore.bundle.predicateType", dev.edgeagent.security.sigstore.BundleVerifier.COSIGN_SIGN_PREDICATE));
        byte[] manifest = Json.compact(m);
        Digest manifestDigest = Digest.sha256Of(manifest);
        HttpResponse<String> r = put(http, ref, manifestDigest.toString(), OCI_MANIFEST, manifest);
        if (r.statusCode() != 201) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + ref.registry() + " refused the bundle manifest: HTTP "
                    + r.statusCode() + " " + r.body());
        }
        // A registry with the referrers API answers that it processed the subject; others need the tag schema's index.
        if (r.headers().firstValue("OCI-Subject").isPresent()) {
            return new Published(repository, subject.digest(), manifestDigest, "the referrers API");
        }
        String tag = Referrers.tagFor(subject.digest());
        List<Object> listed = new ArrayList<>();
        Optional<FetchedManifest> existing = registry.manifestAtTag(ref, tag);
        if (existing.isPresent()) {
            try {
                Object ms = Json.object(existing.get().bytes()).get("manifests");
                if (ms instanceof List<?> l) {
                    for (Object o : l) {
                        if (!(o instanceof Map<?, ?> d) || !manifestDigest.toString().equals(d.get("digest"))) {
                            listed.add(o);
                        }
                    }
                }
            } catch (IOException e) {
                throw new OtaException(ErrorCode.REGISTRY_ERROR, "the referrers index already at " + tag + " is unreadable: " + e.getMessage());
            }
        }
        Map<String, Object> entry = descriptor(OCI_MANIFEST, manifestDigest, manifest.length, m.get("annotations"));
        entry.put("artifactType", type);
        listed.add(entry);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.put("manifests", listed);
        HttpResponse<String> ir = put(http, ref, tag, OCI_INDEX, Json.compact(index));
        if (ir.statusCode() != 201) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + ref.registry() + " refused the referrers index at " + tag + ": HTTP "
                    + ir.statusCode() + " " + ir.body());
        }
        return new Published(repository, subject.digest(), manifestDigest, repository + ":" + tag);
    }

    private static HttpResponse<String> put(RegistryTransport http, ImageRef ref, String reference, String type, byte[] body)
            throws OtaException {
        URI uri = http.base(ref.registry()).resolve(ref.repository() + "/manifests/" + reference);
        return http.upload(ref.registry(), "PUT", uri, Map.of("Content-Type", type), body);
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size, Object annotations) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        if (annotations != null) {
            d.put("annotations", annotations);
        }
        return d;
    }
}
