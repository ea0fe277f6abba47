package dev.edgeagent.ota.unpack;

import dev.edgeagent.security.Digest;
import java.nio.file.Path;

/** A verified layer blob on disk, whether it is gzip-compressed, and the digest its uncompressed tar must have. */
public record LayerSource(Path blob, boolean gzip, Digest diffId) {}
