package dev.edgeagent.runtime.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pump with real fifos and writer processes that hold the pipe as a container does (opened read-write). */
class LogPumpTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** A process writing {@code bytes} zero bytes (no newline at all) into the pipe, as a container's stdout would. */
    private Process writer(Path pipe, long bytes) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "exec 1<>\"$P\" && head -c " + bytes + " /dev/zero")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("P", pipe.toString());
        return pb.start();
    }

    private static long onDisk(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            long total = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                // The larger of the apparent size and the blocks allocated: neither sparse nor preallocated space escapes.
                total += Math.max(Files.size(f), 512L * jnr.posix.POSIXFactory.getNativePOSIX().lstat(f.toString()).blocks());
            }
            return total;
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Duration atMost, Check check) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within " + atMost);
            Thread.sleep(50);
        }
    }

    @Test
    void aNewlineFreeStreamOf200MiBStaysUnderTheCapAndTheWriterRunsToItsEnd() throws Exception {
        LogRotator rotator = new LogRotator(MIB, 2);
        Path logDir = Files.createDirectories(dir.resolve("logs/app"));
        try (LogPump pump = LogPump.start(rotator)) {
            pump.follow("app", logDir.resolve("app.pipe"), logDir.resolve("app.log"));
            Process p = writer(logDir.resolve("app.pipe"), 200 * MIB);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the writer is never blocked for good");
            assertEquals(0, p.exitValue());
            // Everything is drained: the newest file holds the stream's last bytes and the total never passed the cap.
            await(Duration.ofSeconds(20), () -> Files.size(logDir.resolve("app.log")) == (200 * MIB) % MIB
                    || Files.size(logDir.resolve("app.log")) == MIB);
            assertTrue(onDisk(logDir) <= rotator.capBytes(), "on disk: " + onDisk(logDir));
        }
    }

    @Test
    void whileNoAgentReadsTheWriterWaitsInsteadOfDyingAndTheNextPumpDrainsIt() throws Exception {
        Path logDir = Files.createDirectories(dir.resolve("logs/app"));
        Path pipe = logDir.resolve("app.pipe");
        LogPump first = LogPump.start(new LogRotator(16 * MIB, 1));
        first.follow("app", pipe, logDir.resolve("app.log"));
        first.close(); // the agent stops (or is killed): nothing reads the pipe any more
        Process p = writer(pipe, 4 * MIB); // more than any pipe buffer holds
        assertTrue(!p.waitFor(2, TimeUnit.SECONDS), "the writer waits for a reader");
        assertTrue(p.isAlive(), "no SIGPIPE: the container's own descriptor keeps a reader on the pipe");
        try (LogPump next = LogPump.start(new LogRotator(16 * MIB, 1))) {
            next.follow("app", pipe, logDir.resolve("app.log"));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            await(Duration.ofSeconds(10), () -> Files.size(logDir.resolve("app.log")) == 4 * MIB);
        }
    }

    @Test
    void oneThreadReadsEveryPipe() throws Exception {
        try (LogPump pump = LogPump.start(new LogRotator(MIB, 1))) {
            for (int i = 0; i < 40; i++) {
                Path logDir = Files.createDirectories(dir.resolve("logs/app" + i));
                pump.follow("app" + i, logDir.resolve("app.pipe"), logDir.resolve("app.log"));
            }
            assertEquals(1, logsThreads());
            List<Process> writers = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                writers.add(writer(dir.resolve("logs/app" + i + "/app.pipe"), 300_000));
            }
            for (Process w : writers) {
                assertTrue(w.waitFor(60, TimeUnit.SECONDS));
            }
            for (int i = 0; i < 40; i++) {
                Path log = dir.resolve("logs/app" + i + "/app.log");
                await(Duration.ofSeconds(10), () -> Files.size(log) == 300_000);
            }
        }
    }

    private static long logsThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("logs") && t.isAlive()).count();
    }

    @Test
    void theThreadRunsOnlyWhileAPipeIsFollowed() throws Exception {
        try (LogPump pump = LogPump.start(new LogRotator(MIB, 1))) {
            assertEquals(0, logsThreads(), "no app, no thread");
            Path logDir = Files.createDirectories(dir.resolve("logs/app"));
            pump.follow("app", logDir.resolve("app.pipe"), logDir.resolve("app.log"));
            assertEquals(1, logsThreads());
            pump.forget("app");
            await(Duration.ofSeconds(5), () -> logsThreads() == 0);
            // Followed again (an app deployed after the last was removed): pumped as before, by a new thread.
            pump.follow("app", logDir.resolve("app.pipe"), logDir.resolve("app.log"));
            Process w = writer(logDir.resolve("app.pipe"), 100_000);
            assertTrue(w.waitFor(30, TimeUnit.SECONDS));
            await(Duration.ofSeconds(10), () -> Files.size(logDir.resolve("app.log")) == 100_000);
            assertEquals(1, logsThreads());
        }
        await(Duration.ofSeconds(5), () -> logsThreads() == 0);
    }

    @Test
    void onlyAFifoIsEverUsedAsAPipe() throws Exception {
        Path file = Files.writeString(dir.resolve("file.pipe"), "x");
        assertThrows(IOException.class, () -> LogPump.ensurePipe(file));
        Path link = Files.createSymbolicLink(dir.resolve("link.pipe"), dir.resolve("elsewhere"));
        assertThrows(IOException.class, () -> LogPump.ensurePipe(link));
        assertTrue(!Files.exists(dir.resolve("elsewhere")), "a symlink is never followed");
    }
}
