package dev.edgeagent.ota.image;

import dev.edgeagent.protocol.Digest;
import java.util.Objects;

/** An OCI content descriptor: what a blob is, its digest and its exact size. */
public record Descriptor(String mediaType, Digest digest, long size) {
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("descriptor size must not be negative, got " + size);
        }
    }
}
