package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.security.fs.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Before an order is answered (and so before it is acknowledged: the agent acknowledges after the reply), every state
 * file it changed went temp file, fsync, rename, fsync of the directory, and a new generation's files were flushed
 * before the rename that makes it visible, followed by an fsync of the app's folder. Seen through the fsync-counting
 * seam of {@link AtomicFiles}, which the in-process agent uses.
 */
class DurabilityIT {
    static AgentFixture f;
    static final List<String> seen = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        AtomicFiles.observe(new AtomicFiles.Observer() {
            @Override
            public void fsynced(Path path, boolean directory) {
                record((directory ? "fsync-dir " : "fsync ") + path);
            }

            @Override
            public void renamed(Path from, Path to) {
                record("rename " + from + " -> " + to);
            }

            @Override
            public void fileSystemSynced(Path path) {
                record("syncfs " + path);
            }
        });
        f = AgentFixture.withDemo("durable", List.of());
    }

    private static void record(String event) {
        synchronized (seen) {
            seen.add(event);
        }
    }

    private static List<String> snapshot() {
        synchronized (seen) {
            List<String> copy = List.copyOf(seen);
            seen.clear();
            return copy;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        AtomicFiles.observe(null);
        if (f != null) {
            f.close();
        }
    }

    @Test
    void stateAndTheGenerationSwitchAreOnDiskBeforeTheReply() throws Exception {
        Path root = f.config.root();
        snapshot();
        Map<String, Object> reply = f.deploy("op-durable-1", "keep", f.demo, ",\"restart\":\"no\"");
        List<String> before = snapshot(); // every event the agent made before the reply reached the test
        assertEquals(true, reply.get("ok"), reply.toString());
        Path apps = root.resolve("apps/keep");
        assertInOrder(before, "syncfs " + apps.resolve(".staging-1"),
                "rename " + apps.resolve(".staging-1") + " -> " + apps.resolve("1"),
                "fsync-dir " + apps);
        assertAtomic(before, root.resolve("state/apps.json"));
        assertAtomic(before, root.resolve("state/orders.json"));
        assertAtomic(before, root.resolve("state/idranges.json"));
        assertTrue(before.indexOf("fsync-dir " + apps) < lastIndexOfPrefix(before, "rename " + root.resolve("state/.apps.json")),
                "the generation is durable before the record names it: " + before);

        Map<String, Object> stopped = f.command("stop", "{\"id\":\"op-durable-2\",\"app\":\"keep\"}", "op-durable-2");
        List<String> beforeStop = snapshot();
        assertEquals(true, stopped.get("ok"), stopped.toString());
        assertAtomic(beforeStop, root.resolve("state/apps.json"));
        assertAtomic(beforeStop, root.resolve("state/orders.json"));
        System.out.printf("durability: deploy made %d fsyncs/renames/syncfs before its reply, stop %d%n", before.size(), beforeStop.size());
    }

    /** Each time {@code file} was replaced: its temp fsynced just before the rename, the directory fsynced after it. */
    private static void assertAtomic(List<String> events, Path file) {
        Path dir = file.getParent();
        String temp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid()).toString();
        String rename = "rename " + temp + " -> " + file;
        int renames = 0;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).equals(rename)) {
                renames++;
                assertTrue(i > 0 && events.get(i - 1).equals("fsync " + temp), "temp fsynced right before " + rename + ": " + events);
                assertTrue(events.subList(i + 1, events.size()).contains("fsync-dir " + dir), "dir fsynced after " + rename + ": " + events);
            }
        }
        assertTrue(renames > 0, file + " was written: " + events);
    }

    private static void assertInOrder(List<String> events, String... expected) {
        int from = 0;
        for (String e : expected) {
            int at = events.subList(from, events.size()).indexOf(e);
            assertTrue(at >= 0, "'" + e + "' after position " + from + " in " + events);
            from += at + 1;
        }
    }

    private static int lastIndexOfPrefix(List<String> events, String prefix) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
