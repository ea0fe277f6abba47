package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A device whose disk is too small refuses an update before it downloads a single layer. */
class DiskGuardIT {
    static AgentFixture f;
    static Path root;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("small-disk");
        f.demo = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
        root = Files.createDirectories(f.work.resolve("root"));
        // An 8 MiB disk for the agent's root: less than the demo image plus the 64 MiB the agent keeps in reserve.
        Tools.run(List.of("mount", "-t", "tmpfs", "-o", "size=8m,mode=0711", "tmpfs", root.toString()), 30).orThrow("mount tmpfs");
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (f != null && f.agent != null) {
                f.stopAgent();
            }
        } finally {
            Tools.run(List.of("umount", root.toString()), 30);
            if (f != null) {
                f.close();
            }
        }
    }

    @Test
    void anImageThatCannotFitIsRefusedBeforeAnyLayerIsFetched() throws Exception {
        Map<String, Object> reply = f.deploy("op-big", "big", f.demo, "");
        assertEquals("INSUFFICIENT_STORAGE", reply.get("code"), reply.toString());
        String message = String.valueOf(reply.get("message"));
        assertTrue(message.contains("MiB are free") && message.contains("nothing was downloaded"), message);
        try (Stream<Path> blobs = Files.list(root.resolve("blobs/sha256"))) {
            assertTrue(blobs.count() <= 2, "at most the manifest and the config, never a layer");
        }
        try (Stream<Path> ingest = Files.list(root.resolve("ingest"))) {
            assertEquals(0, ingest.count());
        }
        assertFalse(Files.exists(root.resolve("apps/big/1")));
    }
}
