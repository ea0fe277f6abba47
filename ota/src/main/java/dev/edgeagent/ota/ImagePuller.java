package dev.edgeagent.ota;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.ImageConfig;
import dev.edgeagent.ota.image.ImageManifest;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.ota.image.wire.ImageJson;
import dev.edgeagent.ota.registry.FetchedManifest;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.Digest;
import dev.edgeagent.security.ImageRef;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pulls an image pinned by digest: manifest (choosing the device's platform from an index), config, layers.
 * Each blob is verified as it streams; the result names only blobs the store holds.
 */
public final class ImagePuller {
    private final RegistryClient registry;
    private final BlobStore store;

    public ImagePuller(RegistryClient registry, BlobStore store) {
        this.registry = registry;
        this.store = store;
    }

    public PulledImage pull(ImageRef ref, Platform platform, PullProgress progress) throws OtaException {
        Digest pinned = ref.requireDigest();
        FetchedManifest fetched = registry.manifest(ref, pinned);
        String mediaType = mediaTypeOf(fetched);
        if (MediaTypes.INDEXES.contains(mediaType)) {
            Digest chosen = choosePlatform(fetched, platform);
            storeManifest(fetched);
            fetched = registry.manifest(ref, chosen);
            mediaType = mediaTypeOf(fetched);
        }
        if (!MediaTypes.MANIFESTS.contains(mediaType)) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "manifest " + fetched.digest() + " has media type '"
                    + mediaType + "', which is not an OCI or Docker v2 image manifest");
        }
        ImageManifest manifest;
        try {
            manifest = ImageJson.manifest(fetched.bytes(), mediaType);
        } catch (IOException e) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "manifest " + fetched.digest() + ": " + e.getMessage(), e);
        }
        if (!MediaTypes.CONFIGS.contains(manifest.config().mediaType())) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "config media type '" + manifest.config().mediaType()
                    + "' is not an image config");
        }
        for (Descriptor layer : manifest.layers()) {
            if (!MediaTypes.GZIP_LAYERS.contains(layer.mediaType()) && !MediaTypes.PLAIN_LAYERS.contains(layer.mediaType())) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "layer " + layer.digest() + " has media type '"
                        + layer.mediaType() + "'; supported: tar and tar+gzip");
            }
        }
        storeManifest(fetched);
        long bytesTotal = manifest.totalBlobBytes();
        int total = manifest.layers().size() + 1;
        registry.blob(ref, manifest.config(), store);
        long bytesDone = manifest.config().size();
        progress.blobVerified(manifest.config(), 1, total, bytesDone, bytesTotal);
        ImageConfig config = readConfig(manifest.config());
        checkPlatform(config, platform);
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "image config lists " + config.diffIds().size()
                    + " diff_ids for " + manifest.layers().size() + " layers");
        }
        int done = 1;
        for (Descriptor layer : manifest.layers()) {
            registry.blob(ref, layer, store);
            bytesDone += layer.size();
            progress.blobVerified(layer, ++done, total, bytesDone, bytesTotal);
        }
        return new PulledImage(ref, fetched.digest(), manifest, config);
    }

    private ImageConfig readConfig(Descriptor descriptor) throws OtaException {
        try {
            return ImageJson.config(store.read(descriptor.digest()));
        } catch (IOException e) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "config " + descriptor.digest() + ": " + e.getMessage(), e);
        }
    }

    private void storeManifest(FetchedManifest fetched) throws OtaException {
        try {
            store.ingest(fetched.digest(), fetched.bytes());
        } catch (IOException e) {
            throw new OtaException(ErrorCode.STORAGE_ERROR, "could not store manifest " + fetched.digest() + ": " + e.getMessage(), e);
        }
    }

    private static String mediaTypeOf(FetchedManifest fetched) throws OtaException {
        try {
            return ImageJson.declaredMediaType(fetched.bytes(), fetched.mediaType());
        } catch (IOException e) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "manifest " + fetched.digest() + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static void checkPlatform(ImageConfig config, Platform platform) throws OtaException {
        boolean variantOk = platform.variant().isEmpty() || config.variant().isEmpty() || platform.variant().equals(config.variant());
        if (!config.os().equals(platform.os()) || !config.architecture().equals(platform.architecture()) || !variantOk) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "image is built for " + config.os() + "/" + config.architecture()
                    + config.variant().map(v -> "/" + v).orElse("") + ", this device is " + platform);
        }
    }

    private static Digest choosePlatform(FetchedManifest index, Platform platform) throws OtaException {
        try {
            Map<String, Object> root = Json.object(index.bytes());
            if (!(root.get("manifests") instanceof List<?> entries)) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "index " + index.digest() + " has no 'manifests' list");
            }
            for (Object e : entries) {
                if (e instanceof Map<?, ?> entry && entry.get("platform") instanceof Map<?, ?> p
                        && platform.os().equals(p.get("os")) && platform.architecture().equals(p.get("architecture"))
                        && (platform.variant().isEmpty() || platform.variant().equals(Optional.ofNullable((String) p.get("variant"))))
                        && entry.get("digest") instanceof String d) {
                    return Digest.parse(d);
                }
            }
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "index " + index.digest() + " has no manifest for " + platform);
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "index " + index.digest() + " is unreadable: " + e.getMessage(), e);
        }
    }
}
