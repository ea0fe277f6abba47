package dev.edgeagent.ota.image;

import java.util.List;

/** A single-platform image manifest: one config blob and the layers in the order they apply. */
public record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers) {
    public ImageManifest {
        if (!MediaTypes.MANIFESTS.contains(mediaType)) {
            throw new IllegalArgumentException("not an image manifest media type: " + mediaType);
        }
        layers = List.copyOf(layers);
    }

    public long totalBlobBytes() {
        return config.size() + layers.stream().mapToLong(Descriptor::size).sum();
    }
}
