package dev.edgeagent.ota.unpack;

/** Ceilings on what layers may unpack to, so a decompression bomb stops at the limit and not at a full disk. */
public record UnpackLimits(long maxTotalBytes, long maxEntries, int maxPathLength) {
    public static final UnpackLimits DEFAULT = new UnpackLimits(4L * 1024 * 1024 * 1024, 500_000, 4096);

    public UnpackLimits {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxPathLength <= 0) {
            throw new IllegalArgumentException("unpack limits must be positive");
        }
    }
}
