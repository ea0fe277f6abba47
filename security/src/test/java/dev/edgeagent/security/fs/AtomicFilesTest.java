package dev.edgeagent.security.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesContentAndLeavesNoTempFile() throws Exception {
        Path target = dir.resolve("state/apps.json");
        AtomicFiles.write(target, "one".getBytes());
        AtomicFiles.write(target, "two".getBytes());
        assertEquals("two", Files.readString(target));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aCrashedWritersTempFileIsRemovedAndNothingElse() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        AtomicFiles.write(state.resolve("apps.json"), "whole".getBytes());
        Files.writeString(state.resolve(".apps.json.tmp-4194303"), "half"); // a killed agent's, by its pid
        Files.writeString(state.resolve(".orders.json.tmp-" + ProcessHandle.current().pid()), "mine, being written");
        Files.writeString(state.resolve(".hidden"), "not a temp file");
        assertEquals(1, AtomicFiles.removeLeftovers(state));
        try (Stream<Path> files = Files.list(state)) {
            assertEquals(java.util.List.of(".hidden", ".orders.json.tmp-" + ProcessHandle.current().pid(), "apps.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("whole", Files.readString(state.resolve("apps.json")));
        assertEquals(0, AtomicFiles.removeLeftovers(dir.resolve("missing")));
    }

    @Test
    void deletingATreeRemovesALinkNotItsTarget() throws Exception {
        Path outside = Files.writeString(dir.resolve("outside"), "keep");
        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        Files.createSymbolicLink(tree.resolve("link"), outside);
        Files.createSymbolicLink(tree.resolve("dirlink"), dir);
        Trees.deleteRecursively(dir.resolve("tree"));
        assertEquals("keep", Files.readString(outside));
        assertEquals(false, Files.exists(dir.resolve("tree")));
    }
}
