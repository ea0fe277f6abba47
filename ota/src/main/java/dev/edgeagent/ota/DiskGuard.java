package dev.edgeagent.ota;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Compression;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses an image before any layer is downloaded when the disk cannot hold it: what is still to download, what it
 * is likely to unpack to, and a reserve the device keeps for itself. Better no update than a full disk.
 */
public final class DiskGuard {
    /** Compressed layers unpack to about this many times their size; an estimate that errs on the large side. */
    static final long COMPRESSED_EXPANSION = 3;

    private final long reserveBytes;

    public DiskGuard(long reserveBytes) {
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("reserve must not be negative");
        }
        this.reserveBytes = reserveBytes;
    }

    /** What an image needs on disk, from its manifest alone. */
    public record Need(long download, long unpacked) {
        public long total(long reserve) {
            return download + unpacked + reserve;
        }
    }

    public static Need need(PulledImage image, BlobStore store) {
        long download = 0;
        long unpacked = 0;
        for (Descriptor layer : image.manifest().layers()) {
            if (!store.has(layer.digest())) {
                download += layer.size();
            }
            Compression c = MediaTypes.layerCompression(layer.mediaType()).orElse(Compression.GZIP);
            unpacked += c == Compression.NONE ? layer.size() : layer.size() * COMPRESSED_EXPANSION;
        }
        return new Need(download, unpacked);
    }

    /** Throws with the numbers when {@code need} plus the reserve does not fit in what is free under {@code root}. */
    public void check(Need need, Path root) throws OtaException {
        long free;
        try {
            free = Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            throw new OtaException(ErrorCode.STORAGE_ERROR, "cannot tell how much space is free under " + root + ": " + e.getMessage(), e);
        }
        if (need.total(reserveBytes) > free) {
            throw new OtaException(ErrorCode.INSUFFICIENT_STORAGE, "not enough disk: the image needs about " + mib(need.download())
                    + " MiB to download and " + mib(need.unpacked()) + " MiB unpacked, and " + mib(reserveBytes)
                    + " MiB stay reserved, but only " + mib(free) + " MiB are free under " + root + "; nothing was downloaded");
        }
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
