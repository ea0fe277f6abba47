package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.TarBuilder;
import dev.edgeagent.testkit.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The disk fills up in the middle of a layer: the agent's root is a 40 MiB tmpfs, a filler file leaves about 10 MiB,
 * and the new image's layer is 24 MiB of zeros (a few KiB compressed, so the pre-download estimate lets it through).
 * The deploy is refused with a clear code, nothing half-built is left, the previous generation keeps running, and
 * once the filler is removed the same image deploys.
 */
class FullDiskIT {
    private static final long MIB = 1 << 20;
    static AgentFixture f;
    static Path root;
    static String big;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("full-disk");
        f.demo = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
        big = TestImages.push(f, "big", List.of("/bin/sh", "/app/report"),
                new TarBuilder().dir("data", 0).file("data/zeros", new byte[(int) (24 * MIB)], 0, 0644));
        root = Files.createDirectories(f.work.resolve("root"));
        Tools.run(List.of("mount", "-t", "tmpfs", "-o", "size=40m,mode=0711", "tmpfs", root.toString()), 30).orThrow("mount tmpfs");
        f.diskReserveBytes = 0; // the reserve would refuse before any byte is written; this test is about the middle
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (f != null && f.agent != null) {
                f.stopAgent();
            }
            if (f != null) {
                for (String c : f.containers()) {
                    f.discard(c);
                }
            }
        } finally {
            Tools.run(List.of("umount", root.toString()), 30);
            if (f != null) {
                f.close();
            }
        }
    }

    @Test
    void aDiskThatFillsMidLayerIsRefusedCleanlyAndTheNextDeployAfterFreeingSpaceSucceeds() throws Exception {
        Map<String, Object> first = f.deploy("op-disk-1", "app", f.demo, "");
        assertEquals(true, first.get("ok"), first.toString());
        long pid = f.pidOf("app-1");

        Path filler = root.resolve("filler");
        fill(filler, Files.getFileStore(root).getUsableSpace() - 10 * MIB);

        Map<String, Object> full = f.deploy("op-disk-2", "app", big, "");
        assertEquals("INSUFFICIENT_STORAGE", full.get("code"), full.toString());
        String message = String.valueOf(full.get("message"));
        assertTrue(message.contains("disk is full") && message.contains("generation 1 of app keeps running"), message);
        try (Stream<Path> gens = Files.list(root.resolve("apps/app"))) {
            assertEquals(List.of("1"), gens.map(p -> p.getFileName().toString()).toList(), "nothing half-built: no staging dir, no generation 2");
        }
        assertEquals(List.of("app-1"), f.containers());
        assertEquals(pid, f.pidOf("app-1"), "the previous generation was never stopped");
        @SuppressWarnings("unchecked")
        Map<String, Object> app = (Map<String, Object>) ((Map<String, Object>) f.status("\"app\"").get("apps")).get("app");
        assertEquals(1, app.get("generation"));
        assertEquals("RUNNING", app.get("phase"));

        Files.delete(filler);
        Map<String, Object> again = f.deploy("op-disk-3", "app", big, "");
        assertEquals(true, again.get("ok"), again.toString());
        assertEquals(2, ((Map<?, ?>) again.get("result")).get("generation"));
        assertEquals(24 * MIB, Files.size(root.resolve("apps/app/2/rootfs/data/zeros")));
        assertFalse(f.containers().contains("app-1"));
    }

    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }
}
