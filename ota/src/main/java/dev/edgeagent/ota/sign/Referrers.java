package dev.edgeagent.ota.sign;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.registry.FetchedManifest;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sigstore.BundleJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Sigstore bundles attached to an image as OCI 1.1 referrers: through the referrers API, or where the
 * registry lacks it (HTTP 404, as docker-registry 2.8), through the referrers tag schema (an index at tag
 * {@code sha256-<hex>}). Each bundle manifest holds the bundle as its one layer.
 */
public final class Referrers {
    public static final String BUNDLE_ARTIFACT_PREFIX = "application/vnd.dev.sigstore.bundle";
    static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
    /** More bundles than any image needs; the rest are not fetched. */
    static final int MAX_BUNDLES = 16;

    private final RegistryClient registry;

    public Referrers(RegistryClient registry) {
        this.registry = registry;
    }

    /** A bundle found for an image: where it came from (for messages) and its bytes, checked against their digest. */
    public record Found(Digest manifest, byte[] bundle) {}

    /** The referrers tag schema's tag for {@code subject}: {@code <alg>-<hex>}, truncated as the spec says. */
    public static String tagFor(Digest subject) {
        String tag = subject.algorithm() + "-" + subject.hex();
        return tag.length() > 128 ? tag.substring(0, 128) : tag;
    }

    /** The bundles that refer to {@code manifest}; none when the image has no referrers. */
    public List<Found> bundles(ImageRef ref, Digest manifest) throws OtaException {
        Optional<byte[]> index;
        try {
            index = registry.referrers(ref, manifest);
        } catch (OtaException e) {
            if (e.code() != ErrorCode.REGISTRY_ERROR) {
                throw e;
            }
            // Some registries answer the unknown route with 400 or 405 rather than the 404 the spec asks for.
            org.tinylog.Logger.warn("the referrers API of {} failed ({}); reading the referrers tag schema instead", ref.registry(),
                    e.getMessage());
            index = Optional.empty();
        }
        if (index.isEmpty()) {
            index = registry.manifestAtTag(ref, tagFor(manifest)).map(FetchedManifest::bytes);
        }
        if (index.isEmpty()) {
            return List.of();
        }
        List<Found> out = new ArrayList<>();
        for (Digest d : bundleManifests(index.get(), ref)) {
            if (out.size() == MAX_BUNDLES) {
                break;
            }
            FetchedManifest m = registry.manifest(ref, d);
            Optional<Descriptor> layer = bundleLayer(m.bytes());
            if (layer.isPresent()) {
                out.add(new Found(d, registry.smallBlob(ref, layer.get(), BundleJson.MAX_BYTES)));
            }
        }
        return out;
    }

    /** The digests of the manifests an index lists with a Sigstore bundle artifact type. */
    static List<Digest> bundleManifests(byte[] index, ImageRef ref) throws OtaException {
        List<Digest> out = new ArrayList<>();
        try {
            Object manifests = Json.object(index).get("manifests");
            if (!(manifests instanceof List<?> list)) {
                throw new IOException("it lists no manifests");
            }
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("artifactType") instanceof String type && type.startsWith(BUNDLE_ARTIFACT_PREFIX)
                        && m.get("digest") instanceof String digest) {
                    out.add(Digest.parse(digest));
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new OtaException(ErrorCode.IMAGE_NOT_TRUSTED, "the referrers index of " + ref.repository() + " is unreadable: " + e.getMessage());
        }
    }

    /** The bundle layer of a bundle manifest, when it has exactly the one layer the cosign bundle spec describes. */
    static Optional<Descriptor> bundleLayer(byte[] manifest) {
        try {
            Object layers = Json.object(manifest).get("layers");
            if (layers instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> l
                    && l.get("mediaType") instanceof String type && type.startsWith(BUNDLE_ARTIFACT_PREFIX)
                    && l.get("digest") instanceof String d && l.get("size") instanceof Number n) {
                return Optional.of(new Descriptor(type, Digest.parse(d), n.longValue()));
            }
        } catch (IOException | RuntimeException e) {
            // a manifest that is no bundle manifest is passed over, as the index may list other artifacts
        }
        return Optional.empty();
    }
}
