package dev.edgeagent.ota.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.testkit.TarBuilder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as root (lchown); the suite's bin/test runs as root, as the agent does. */
class LayerUnpackerTest {
    private static final IdRange IDS = new IdRange(1_048_576, 65536);

    @TempDir
    Path dir;

    private Path rootfs() {
        return dir.resolve("rootfs");
    }

    private void unpack(UnpackLimits limits, TarBuilder... layers) throws Exception {
        List<LayerSource> sources = new java.util.ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            sources.add(layers[i].writeTo(dir.resolve("layer" + i + ".tar.gz")));
        }
        new LayerUnpacker(limits).unpack(sources, rootfs(), IDS);
    }

    private void unpack(TarBuilder... layers) throws Exception {
        unpack(UnpackLimits.DEFAULT, layers);
    }

    private UnsafeLayerException refused(TarBuilder layer) {
        return assertThrows(UnsafeLayerException.class, () -> unpack(layer));
    }

    @Test
    void shiftsOwnersIntoTheAppRangeAndKeepsModesAndLinks() throws Exception {
        unpack(new TarBuilder().dir("etc", 0).file("etc/hostname", "box\n", 0, 0644)
                .file("usr-bin-tool", "#!/bin/sh\n", 1000, 04755).symlink("etc/link", "/etc/hostname")
                .hardlink("etc/hard", "etc/hostname"));
        Path hostname = rootfs().resolve("etc/hostname");
        assertEquals("box\n", Files.readString(hostname));
        assertEquals(1_048_576, Files.getAttribute(hostname, "unix:uid"));
        assertEquals(1_048_576 + 1000, Files.getAttribute(rootfs().resolve("usr-bin-tool"), "unix:uid"));
        assertEquals(04755, (int) Files.getAttribute(rootfs().resolve("usr-bin-tool"), "unix:mode") & 07777);
        assertEquals(Path.of("/etc/hostname"), Files.readSymbolicLink(rootfs().resolve("etc/link")));
        assertEquals(1_048_576, Files.getAttribute(rootfs().resolve("etc/link"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(2, Files.getAttribute(hostname, "unix:nlink"));
        assertEquals(1_048_576, Files.getAttribute(rootfs(), "unix:uid"), "the rootfs itself belongs to the app's root");
    }

    @Test
    void keepsLongNamesAndModificationTimes() throws Exception {
        String longName = "deep/" + "n".repeat(150) + "/" + "f".repeat(120);
        unpack(new TarBuilder().file(longName, "long"));
        assertEquals("long", Files.readString(rootfs().resolve(longName)));
        TarBuilder gnu = new TarBuilder().gnuLongNames().file("gnu/" + "g".repeat(200), "gnu");
        unpack(gnu);
        assertEquals("gnu", Files.readString(rootfs().resolve("gnu/" + "g".repeat(200))));
        assertEquals(TarBuilder.MTIME.toInstant(), Files.getLastModifiedTime(rootfs().resolve(longName)).toInstant());
    }

    @Test
    void refusesDotDot() {
        assertTrue(refused(tar(b -> b.file("../escape", "x"))).getMessage().contains(".."));
        assertFalse(Files.exists(dir.resolve("escape")));
    }

    @Test
    void refusesAbsolutePaths() {
        assertTrue(refused(tar(b -> b.file("/etc/escape", "x"))).getMessage().contains("absolute"));
    }

    @Test
    void refusesWritingThroughASymlink() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        UnsafeLayerException e = refused(tar(b -> b.symlink("evil", outside.toString()).file("evil/planted", "x")));
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        assertFalse(Files.exists(outside.resolve("planted")));
    }

    @Test
    void refusesASymlinkPlantedByAnEarlierLayer() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        assertThrows(UnsafeLayerException.class, () -> unpack(
                new TarBuilder().symlink("evil", outside.toString()),
                new TarBuilder().file("evil/planted", "x")));
        assertFalse(Files.exists(outside.resolve("planted")));
    }

    @Test
    void refusesHardlinksToFilesOutsideTheRootfs() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "host secret");
        assertThrows(UnsafeLayerException.class, () -> unpack(tar(b -> b.hardlink("stolen", "../secret"))));
        assertThrows(UnsafeLayerException.class, () -> unpack(tar(b -> b.hardlink("stolen", secret.toString()))));
        assertThrows(UnsafeLayerException.class,
                () -> unpack(tar(b -> b.symlink("out", dir.toString()).hardlink("stolen", "out/secret"))));
        assertEquals(1, Files.getAttribute(secret, "unix:nlink"));
    }

    @Test
    void refusesDeviceNodesAndFifos() {
        assertTrue(refused(tar(b -> b.special("dev/mem", TarConstants.LF_CHR))).getMessage().contains("device node"));
        assertTrue(refused(tar(b -> b.special("dev/sda", TarConstants.LF_BLK))).getMessage().contains("device node"));
        assertTrue(refused(tar(b -> b.special("pipe", TarConstants.LF_FIFO))).getMessage().contains("fifo"));
    }

    @Test
    void refusesOwnersOutsideTheRange() {
        assertTrue(refused(tar(b -> b.file("f", "x", 70000, 0644))).getMessage().contains("outside the app's"));
    }

    @Test
    void whiteoutsDeleteAndOpaqueDirectoriesHideLowerLayers() throws Exception {
        unpack(new TarBuilder().dir("a", 0).file("a/old", "1").file("a/keep", "1").dir("b", 0).file("b/lower", "1"),
                new TarBuilder().file("a/.wh.old", "").dir("b", 0).file("b/.wh..wh..opq", "").file("b/upper", "2"));
        assertFalse(Files.exists(rootfs().resolve("a/old")));
        assertTrue(Files.exists(rootfs().resolve("a/keep")));
        assertFalse(Files.exists(rootfs().resolve("b/lower")));
        assertTrue(Files.exists(rootfs().resolve("b/upper")));
        assertFalse(Files.exists(rootfs().resolve("a/.wh.old")));
    }

    @Test
    void aWhiteoutCannotReachOutside() throws Exception {
        Path outside = Files.writeString(dir.resolve("victim"), "keep me");
        assertThrows(UnsafeLayerException.class, () -> unpack(tar(b -> b.file("../.wh.victim", ""))));
        assertThrows(UnsafeLayerException.class, () -> unpack(tar(b -> b.symlink("up", dir.toString()).file("up/.wh.victim", ""))));
        assertTrue(Files.exists(outside));
    }

    @Test
    void aDecompressionBombStopsAtTheLimit() {
        UnsafeLayerException e = assertThrows(UnsafeLayerException.class, () -> unpack(new UnpackLimits(1000, 100, 256),
                new TarBuilder().file("big", "x".repeat(5000))));
        assertTrue(e.getMessage().contains("limit of 1000"), e.getMessage());
        assertThrows(UnsafeLayerException.class, () -> unpack(new UnpackLimits(1 << 20, 3, 256),
                new TarBuilder().file("1", "").file("2", "").file("3", "").file("4", "")));
    }

    @Test
    void zerosAfterTheEndOfTheArchiveCountAgainstTheLimit() throws Exception {
        byte[] tar = new TarBuilder().file("small", "x").tarBytes();
        byte[] raw = java.util.Arrays.copyOf(tar, tar.length + (8 << 20)); // 8 MiB of zeros after the end-of-archive
        UnsafeLayerException e = assertThrows(UnsafeLayerException.class, () -> unpackRaw(raw, new UnpackLimits(1 << 20, 100, 256)));
        assertTrue(e.getMessage().contains("limit of 1048576"), e.getMessage());
    }

    @Test
    void theSkippedDataOfASymlinkEntryCountsAgainstTheLimit() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out =
                new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(bytes)) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry link =
                    new org.apache.commons.compress.archivers.tar.TarArchiveEntry("link", TarConstants.LF_SYMLINK);
            link.setLinkName("target");
            link.setSize(8 << 20); // a symlink's "content": never written, only skipped by the tar reader
            out.putArchiveEntry(link);
            out.write(new byte[8 << 20]);
            out.closeArchiveEntry();
        }
        UnsafeLayerException e = assertThrows(UnsafeLayerException.class,
                () -> unpackRaw(bytes.toByteArray(), new UnpackLimits(1 << 20, 100, 256)));
        assertTrue(e.getMessage().contains("limit of 1048576"), e.getMessage());
    }

    private void unpackRaw(byte[] raw, UnpackLimits limits) throws Exception {
        Path blob = dir.resolve("raw.tar.gz");
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(blob))) {
            gz.write(raw);
        }
        new LayerUnpacker(limits).unpack(List.of(new LayerSource(blob, dev.edgeagent.ota.image.Compression.GZIP,
                Digest.sha256Of(raw))), rootfs(), IDS);
    }

    @Test
    void aLayerWhoseTarDoesNotMatchItsDiffIdIsRefused() throws Exception {
        LayerSource real = new TarBuilder().file("f", "x").writeTo(dir.resolve("l.tar.gz"));
        LayerSource wrong = new LayerSource(real.blob(), real.compression(), Digest.sha256Of(new byte[] {1}));
        UnsafeLayerException e = assertThrows(UnsafeLayerException.class,
                () -> new LayerUnpacker(UnpackLimits.DEFAULT).unpack(List.of(wrong), rootfs(), IDS));
        assertTrue(e.getMessage().contains("diff_id"), e.getMessage());
    }

    @Test
    void mountPointsAreCreatedButNeverThroughASymlink() throws Exception {
        unpack(tar(b -> b.symlink("proc", "/etc")));
        LayerUnpacker unpacker = new LayerUnpacker(UnpackLimits.DEFAULT);
        unpacker.ensureDirectory(rootfs(), "/tmp", IDS);
        assertTrue(Files.isDirectory(rootfs().resolve("tmp"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(1_048_576, Files.getAttribute(rootfs().resolve("tmp"), "unix:uid"));
        assertThrows(UnsafeLayerException.class, () -> unpacker.ensureDirectory(rootfs(), "/proc", IDS));
    }

    interface Build {
        void apply(TarBuilder b) throws Exception;
    }

    private static TarBuilder tar(Build build) {
        try {
            TarBuilder b = new TarBuilder();
            build.apply(b);
            return b;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
