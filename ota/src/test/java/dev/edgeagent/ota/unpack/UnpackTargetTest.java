package dev.edgeagent.ota.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.testkit.TarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an unpack writes: never through a rootfs that is a symlink, and never an image whose /proc, /sys or /dev
 * is a symlink (CVE-2019-19921 class: the runtime would mount procfs wherever the link points). Runs as root.
 */
class UnpackTargetTest {
    private static final IdRange IDS = new IdRange(1_048_576, 65536);

    @TempDir
    Path dir;

    @Test
    void aRootfsPlantedAsASymlinkIsRefusedAndItsTargetUntouched() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path rootfs = dir.resolve("staging/rootfs");
        Files.createDirectories(rootfs.getParent());
        Files.createSymbolicLink(rootfs, outside);
        LayerSource layer = new TarBuilder().file("planted", "x", 0, 0644).writeTo(dir.resolve("layer.tar.gz"));

        UnsafeLayerException e = assertThrows(UnsafeLayerException.class,
                () -> new LayerUnpacker(UnpackLimits.DEFAULT).unpack(List.of(layer), rootfs, IDS));
        assertTrue(e.getMessage().contains("is a symlink"), e.getMessage());
        try (var entries = Files.list(outside)) {
            assertEquals(List.of(), entries.toList(), "nothing written where the link points");
        }
        assertEquals(0, Files.getAttribute(outside, "unix:uid"), "the link's target was not chowned to the app");
    }

    @Test
    void anImageWhoseProcSysOrDevIsASymlinkIsRefused() throws Exception {
        for (String mount : List.of("proc", "sys", "dev")) {
            Path rootfs = dir.resolve("rootfs-" + mount);
            LayerSource layer = new TarBuilder().dir("evil", 0).symlink(mount, "/evil")
                    .writeTo(dir.resolve("layer-" + mount + ".tar.gz"));
            LayerUnpacker unpacker = new LayerUnpacker(UnpackLimits.DEFAULT);
            unpacker.unpack(List.of(layer), rootfs, IDS);
            UnsafeLayerException e = assertThrows(UnsafeLayerException.class, () -> unpacker.ensureDirectory(rootfs, "/" + mount, IDS));
            assertTrue(e.getMessage().contains("/" + mount) && e.getMessage().contains("symlink"), e.getMessage());
            assertTrue(Files.isSymbolicLink(rootfs.resolve(mount)), "the link is left as it is, not followed");
            try (var entries = Files.list(rootfs.resolve("evil"))) {
                assertEquals(List.of(), entries.toList());
            }
        }
    }
}
