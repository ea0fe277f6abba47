package dev.edgeagent.ota.unpack;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeagent.ota.image.Compression;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.userns.IdRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layer unpacker fed whatever Jazzer makes, as a plain tar, a tar+gzip and a tar+zstd layer: it may refuse
 * ({@link IOException}, {@link UnsafeLayerException}) but never throw anything else, never hang, and never write
 * outside the rootfs (every write outside would need a path the unpacker refuses). Limits are small so a bomb stops
 * early. In the normal suite these replay their seeds (src/test/resources/.../LayerUnpackerFuzzTestInputs/); with
 * JAZZER_FUZZ=1 they fuzz (bench/fuzz).
 */
class LayerUnpackerFuzzTest {
    private static final IdRange IDS = new IdRange(1_048_576, 65536);
    private static final UnpackLimits LIMITS = new UnpackLimits(8L << 20, 2_000, 1_024);

    @FuzzTest
    void tar(byte[] layer) throws Exception {
        unpack(layer, Compression.NONE);
    }

    @FuzzTest
    void gzip(byte[] layer) throws Exception {
        unpack(layer, Compression.GZIP);
    }

    @FuzzTest
    void zstd(byte[] layer) throws Exception {
        unpack(layer, Compression.ZSTD);
    }

    private static void unpack(byte[] layer, Compression compression) throws Exception {
        Path dir = Files.createTempDirectory("fuzz-unpack");
        try {
            Path blob = dir.resolve("layer");
            Files.write(blob, layer);
            Path rootfs = dir.resolve("rootfs");
            try {
                new LayerUnpacker(LIMITS).open(rootfs, IDS).apply(new LayerSource(blob, compression, Digest.sha256Of(layer)));
            } catch (IOException | UnsafeLayerException refused) {
                // a refusal is the right answer to a bad layer
            }
        } finally {
            Trees.deleteRecursively(dir);
        }
    }
}
