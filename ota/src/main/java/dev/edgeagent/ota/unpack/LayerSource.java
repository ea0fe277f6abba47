package dev.edgeagent.ota.unpack;

import dev.edgeagent.ota.image.Compression;
import dev.edgeagent.protocol.Digest;
import java.nio.file.Path;

/** A verified layer blob on disk, how it is compressed, and the digest its uncompressed tar must have. */
public record LayerSource(Path blob, Compression compression, Digest diffId) {}
