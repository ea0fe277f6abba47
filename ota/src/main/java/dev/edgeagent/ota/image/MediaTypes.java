package dev.edgeagent.ota.image;

import java.util.Set;

/** The media types the pull path understands. */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    public static final Set<String> CONFIGS = Set.of(OCI_CONFIG, DOCKER_CONFIG);
    public static final Set<String> GZIP_LAYERS = Set.of(OCI_LAYER_GZIP, DOCKER_LAYER_GZIP);
    public static final Set<String> PLAIN_LAYERS = Set.of(OCI_LAYER_TAR);
    public static final Set<String> ZSTD_LAYERS = Set.of(OCI_LAYER_ZSTD);

    /** How a layer of this media type is compressed; empty for a type that is not a layer we unpack. */
    public static java.util.Optional<Compression> layerCompression(String mediaType) {
        if (GZIP_LAYERS.contains(mediaType)) {
            return java.util.Optional.of(Compression.GZIP);
        }
        if (ZSTD_LAYERS.contains(mediaType)) {
            return java.util.Optional.of(Compression.ZSTD);
        }
        if (PLAIN_LAYERS.contains(mediaType)) {
            return java.util.Optional.of(Compression.NONE);
        }
        return java.util.Optional.empty();
    }

    private MediaTypes() {}
}
