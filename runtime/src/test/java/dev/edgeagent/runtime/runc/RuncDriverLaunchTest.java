package dev.edgeagent.runtime.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a process started the way runc is started inherits from the agent: stdin, stdout and stderr, nothing else. */
class RuncDriverLaunchTest {
    @TempDir
    Path dir;

    @Test
    void onlyStdioReachesTheChildEvenWhenTheAgentHoldsAnInheritableFd() throws Exception {
        Path held = Files.writeString(dir.resolve("held-open"), "x").toRealPath();
        try (FileInputStream extra = new FileInputStream(held.toFile())) {
            String fd = fds(Path.of("/proc/self/fd")).stream().filter(n -> isOpenOn(Path.of("/proc/self/fd"), n, held.toString())).findFirst().orElseThrow();
            long flags = Long.parseLong(Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                    .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow().substring(6).strip(), 8);
            assertEquals(0, flags & 02000000, "the test's fd " + fd + " is not close-on-exec, so only the launch can keep it out");

            Process child = RuncDriver.launch(new ProcessBuilder("/bin/sleep", "30")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD));
            try {
                // sleep opens and closes a file or two while it starts (locale data): wait for it to settle; an
                // inherited fd never goes away, and must never be the one the agent holds
                Path childFds = Path.of("/proc/" + child.pid() + "/fd");
                Set<String> seen = fds(childFds);
                for (int i = 0; i < 50 && !seen.equals(Set.of("0", "1", "2")); i++) {
                    for (String n : seen) {
                        assertTrue(!isOpenOn(childFds, n, held.toString()), "the child inherited the agent's fd " + n);
                    }
                    Thread.sleep(100);
                    seen = fds(childFds);
                }
                assertEquals(Set.of("0", "1", "2"), seen);
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            }
        }
    }

    private static Set<String> fds(Path dir) throws Exception {
        // The child may still be between fork and exec: wait until it runs sleep.
        for (int i = 0; i < 50 && !dir.toString().equals("/proc/self/fd"); i++) {
            Path exe = dir.getParent().resolve("exe");
            if (Files.isSymbolicLink(exe) && Files.readSymbolicLink(exe).toString().endsWith("sleep")) {
                break;
            }
            Thread.sleep(100);
        }
        try (var list = Files.list(dir)) {
            return new TreeSet<>(list.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static boolean isOpenOn(Path fds, String fd, String path) {
        try {
            return Files.readSymbolicLink(fds.resolve(fd)).toString().equals(path);
        } catch (Exception gone) {
            return false;
        }
    }
}
