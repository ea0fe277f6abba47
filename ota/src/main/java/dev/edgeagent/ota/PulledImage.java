package dev.edgeagent.ota;

import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.ImageConfig;
import dev.edgeagent.ota.image.ImageManifest;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.ota.unpack.LayerSource;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import java.nio.file.Path;

/**
 * An image whose manifest, config and every layer are in the blob store, verified; {@code signers} are the keys
 * whose signatures let it in (empty where images are not checked).
 */
public record PulledImage(ImageRef ref, Digest manifestDigest, ImageManifest manifest, ImageConfig config,
        java.util.Set<dev.edgeagent.security.sign.KeyId> signers) {
    public PulledImage {
        signers = java.util.Set.copyOf(signers);
    }

    /** Layer {@code index} as the unpacker reads it: the verified blob, its compression, its diff_id. */
    public LayerSource layerSource(int index, Path verifiedBlob) {
        Descriptor layer = manifest.layers().get(index);
        return new LayerSource(verifiedBlob, MediaTypes.layerCompression(layer.mediaType()).orElseThrow(), config.diffIds().get(index));
    }
}
