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
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import java.util.Optional;

/**
 * Pulls an image pinned by digest: manifest (choosing the device's platform from an index), config, layers.
 * Each blob is verified as it streams; the result names only blobs the store holds.
 */
public final class ImagePuller {
    /** Layers fetched at once: enough to fill a link, few enough for a small device. */
    public static final int PARALLEL_LAYERS = 3;

    private final RegistryClient registry;
    private final BlobStore store;

    public ImagePuller(RegistryClient registry, BlobStore store) {
        this(registry, store, dev.edgeagent.ota.sign.ImageTrust.UNCHECKED);
    }

    public ImagePuller(RegistryClient registry, BlobStore store, dev.edgeagent.ota.sign.ImageTrust trust) {
        this.registry = registry;
        this.store = store;
        this.trust = trust;
    }

    private final dev.edgeagent.ota.sign.ImageTrust trust;

    /**
     * Pulls {@code ref}. A reference with a digest is fetched by it; one with only a tag is resolved once, and the
     * result names the digest it was pinned to.
     */
    public PulledImage pull(ImageRef ref, Platform platform, PullProgress progress) throws OtaException {
        PulledImage image = resolve(ref, platform, progress);
        fetchLayers(image, progress, (index, layer, blob) -> { });
        return image;
    }

    /** Told, in layer order and on the caller's thread, each time the next layer is verified in the store. */
    @FunctionalInterface
    public interface LayerConsumer {
        void accept(int index, Descriptor layer, java.nio.file.Path verifiedBlob) throws OtaException;
    }

    /**
     * Fetches and verifies the manifest (choosing the platform from an index) and the config; the layers are left
     * for {@link #fetchLayers}. A reference with only a tag is resolved once and the result names its digest.
     */
    public PulledImage resolve(ImageRef ref, Platform platform, PullProgress progress) throws OtaException {
        FetchedManifest fetched = ref.digest().isPresent() ? registry.manifest(ref, ref.requireDigest()) : registry.resolveTag(ref);
        ImageRef pinned = ref.withDigest(fetched.digest());
        // The signature covers what the reference names (an index, for a multi-arch image), and is checked
        // before the config or any layer is fetched.
        java.util.Set<dev.edgeagent.security.sign.KeyId> signers = trust.check(pinned, fetched.digest());
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
            if (MediaTypes.layerCompression(layer.mediaType()).isEmpty()) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "layer " + layer.digest() + " has media type '"
                        + layer.mediaType() + "'; supported: tar, tar+gzip, tar+zstd");
            }
        }
        storeManifest(fetched);
        long bytesTotal = manifest.totalBlobBytes();
        int total = manifest.layers().size() + 1;
        registry.blob(pinned, manifest.config(), store);
        long bytesDone = manifest.config().size();
        progress.blobVerified(manifest.config(), 1, total, bytesDone, bytesTotal);
        ImageConfig config = readConfig(manifest.config());
        checkPlatform(config, platform);
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "image config lists " + config.diffIds().size()
                    + " diff_ids for " + manifest.layers().size() + " layers");
        }
        return new PulledImage(pinned, fetched.digest(), manifest, config, signers);
    }

    /**
     * Fetches the layers and applies each to {@code session} as soon as it and the ones before it are verified;
     * {@code applied} hears the 0-based index of each layer applied.
     */
    public void fetchAndUnpack(PulledImage image, PullProgress progress, dev.edgeagent.ota.unpack.LayerUnpacker.Session session,
            java.util.function.IntConsumer applied) throws OtaException {
        fetchLayers(image, progress, (index, layer, blob) -> {
            try {
                session.apply(image.layerSource(index, blob));
            } catch (IOException e) {
                throw OtaException.storage("unpacking layer " + index + " (" + layer.digest() + ")", e);
            }
            applied.accept(index);
        });
    }

    /**
     * Fetches the layers {@link #PARALLEL_LAYERS} at a time and hands each to {@code consumer} in order as soon as it
     * and every layer before it are verified, so unpacking overlaps the downloads still running. The first failure,
     * of a download or of the consumer, stops the rest and is the one reported.
     */
    public void fetchLayers(PulledImage image, PullProgress progress, LayerConsumer consumer) throws OtaException {
        ImageRef ref = image.ref();
        List<Descriptor> layers = image.manifest().layers();
        long bytesTotal = image.manifest().totalBlobBytes();
        long configBytes = image.manifest().config().size();
        int total = layers.size() + 1;
        AtomicInteger done = new AtomicInteger(1);
        AtomicLong bytesDone = new AtomicLong(configBytes);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_LAYERS, layers.size())), r -> {
            Thread t = new Thread(r, "pull-" + ref.repository());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Descriptor layer : layers) {
                futures.add(pool.submit(() -> {
                    registry.blob(ref, layer, store);
                    long b = bytesDone.addAndGet(layer.size());
                    synchronized (progress) {
                        progress.blobVerified(layer, done.incrementAndGet(), total, b, bytesTotal);
                    }
                    return null;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get();
                } catch (ExecutionException e) {
                    futures.forEach(other -> other.cancel(true));
                    if (e.getCause() instanceof OtaException oe) {
                        throw oe;
                    }
                    throw new OtaException(ErrorCode.INTERNAL, "fetching a layer failed: " + e.getCause(), e.getCause());
                }
                try {
                    consumer.accept(i, layers.get(i), store.path(layers.get(i).digest()));
                } catch (OtaException | RuntimeException e) {
                    futures.forEach(other -> other.cancel(true));
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OtaException(ErrorCode.INTERNAL, "interrupted while fetching layers", e);
        } finally {
            pool.shutdownNow();
            registry.transport().releaseClient(); // the pull is over: no HTTP client (nor its thread) kept while idle
        }
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
