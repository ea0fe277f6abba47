package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.RegistryUpload;
import dev.edgeagent.testkit.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** edgeagent pull against a real registry: a tag comes back pinned; a hostile layer is refused, leaving nothing. */
class PullCommandIT {
    @TempDir
    static Path shared;
    static Registry registry;
    static String demoTag;

    @TempDir
    Path root;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        registry = Registry.start(Files.createDirectories(shared.resolve("registry")));
        String pinned = registry.pushDemoImage(shared.resolve("image"), "demo");
        demoTag = pinned.substring(0, pinned.indexOf('@')) + ":demo";
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private AgentConfig config() {
        return AgentConfig.of(new DeviceId("pull-check"), URI.create("tcp://127.0.0.1:1"), root, Path.of("/usr/sbin/runc"),
                root.resolve("runc"), Set.of(registry.host()));
    }

    private int pull(String ref, Optional<Path> target) {
        return PullCheck.run(config(), ImageRef.parse(ref), Platform.parse("linux/amd64"), target,
                new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void aTagComesBackPinnedAndTheScratchTreeIsGone() throws Exception {
        assertEquals(0, pull(demoTag, Optional.empty()), err.toString());
        ImageRef pinned = ImageRef.parse(out.toString().strip());
        assertTrue(pinned.digest().isPresent(), out.toString());
        assertTrue(err.toString().contains("none unsafe"), err.toString());
        try (Stream<Path> apps = Files.list(root.resolve("apps"))) {
            assertEquals(List.of(), apps.toList());
        }
        Path kept = root.resolve("kept");
        assertEquals(0, pull(demoTag, Optional.of(kept)), err.toString());
        assertTrue(Files.isRegularFile(kept.resolve("bin/busybox")));
    }

    @Test
    void aHostileLayerIsRefusedAndNothingIsKept() throws Exception {
        TarBuilder hostile = new TarBuilder().file("etc/ok", "fine").special("dev/mem", TarConstants.LF_CHR);
        byte[] gz = gzip(hostile.tarBytes());
        Digest d = new RegistryUpload(registry.host()).pushImage("hostile", "1", List.of(
                new RegistryUpload.Layer("application/vnd.oci.image.layer.v1.tar+gzip", gz, Digest.sha256Of(hostile.tarBytes()))));
        Path target = root.resolve("target");
        assertEquals(1, pull(registry.host() + "/hostile@" + d, Optional.of(target)));
        assertTrue(err.toString().contains("refused [UNSAFE_LAYER]") && err.toString().contains("device node"), err.toString());
        assertFalse(Files.exists(target), "a refused unpack leaves no rootfs");
    }

    private static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(b)) {
            gz.write(raw);
        }
        return b.toByteArray();
    }
}
