package dev.edgeagent.ota;

import dev.edgeagent.ota.image.ImageConfig;
import dev.edgeagent.ota.image.ImageManifest;
import dev.edgeagent.security.Digest;
import dev.edgeagent.security.ImageRef;

/** An image whose manifest, config and every layer are in the blob store, verified. */
public record PulledImage(ImageRef ref, Digest manifestDigest, ImageManifest manifest, ImageConfig config) {}
