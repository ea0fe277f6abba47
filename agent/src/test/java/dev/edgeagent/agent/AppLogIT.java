package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.TarBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An app that attacks its log through its stdout (src/test/resources/probes/logfill.c), under a real agent and runc:
 * whatever it does, its logs stay under the cap on disk, and {@code logs} answers with a bounded reply.
 */
class AppLogIT {
    static AgentFixture f;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("applog");
        Path probeDir = Files.createDirectories(f.work.resolve("probe"));
        Path source = dev.edgeagent.testkit.Tools.repoRoot().resolve("agent/src/test/resources/probes/logfill.c");
        Path binary = probeDir.resolve("logfill");
        dev.edgeagent.testkit.Tools.run(List.of(dev.edgeagent.testkit.Tools.require("gcc", "gcc libc6-dev").toString(), "-static",
                "-O2", "-o", binary.toString(), source.toString()), 120).orThrow("gcc -static logfill.c");
        image = TestImages.push(f, "logfill", List.of("/probe/logfill"),
                new TarBuilder().dir("probe", 0).file("probe/logfill", Files.readAllBytes(binary), 0, 0755));
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** What the app's log files take on disk: the larger of apparent size and allocated blocks, per file. */
    static long onDisk(Path logDir) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path file : files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                try {
                    long blocks = jnr.posix.POSIXFactory.getNativePOSIX().lstat(file.toString()).blocks();
                    total += Math.max(Files.size(file), 512 * blocks);
                } catch (RuntimeException | java.nio.file.NoSuchFileException e) {
                    if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw e;
                    }
                    // rotated away between the listing and the look: it takes no space any more
                }
            }
        }
        return total;
    }

    /** The last bytes of a file, however large it is. */
    static String end(Path file, int bytes) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, r.length() - bytes);
            byte[] b = new byte[(int) (r.length() - start)];
            r.seek(start);
            r.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void truncatingPreallocatingAndANewlineFreeFloodStayUnderTheCapAndLogsAnswersBounded() throws Exception {
        Map<String, Object> reply = f.deploy("op-fill", "fill", image, ",\"restart\":\"no\"");
        assertEquals(true, reply.get("ok"), reply.toString());
        Path log = f.log("fill");
        long cap = f.config.logMaxBytes() * (f.config.logKeep() + 1);
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertTrue(onDisk(log.getParent()) <= cap, "the app's logs take " + onDisk(log.getParent()) + " bytes, over the cap " + cap);
            return Files.exists(log) && end(log, 64).contains("logfill: done");
        });
        assertTrue(end(log, 64).contains("logfill: done " + (200L << 20)), "the whole stream was taken: " + end(log, 64));
        assertTrue(onDisk(log.getParent()) <= cap, "on disk " + onDisk(log.getParent()) + " > cap " + cap);
        assertTrue(Files.size(log) <= f.config.logMaxBytes());

        Map<String, Object> logs = f.command("logs", "{\"id\":\"op-logs\",\"app\":\"fill\",\"tail\":10000}", "op-logs");
        Map<String, Object> result = (Map<String, Object>) logs.get("result");
        List<String> lines = (List<String>) result.get("lines");
        assertEquals("logfill: done " + (200L << 20), lines.get(lines.size() - 1));
        assertTrue(String.join("\n", lines).length() <= 64 * 1024, "a bounded reply");
        assertEquals(true, result.get("truncated"), "older output exists than the reply holds");
        f.discard("fill-1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void logsOnAHugeNewlineFreeFileReadsOnlyItsEnd() throws Exception {
        String quiet = TestImages.push(f, "quiet", List.of("/bin/sh", "-c", "echo quiet: up; sleep 600"), null);
        assertEquals(true, f.deploy("op-quiet", "quiet", quiet, ",\"restart\":\"no\"").get("ok"));
        f.lines("quiet", "quiet: up", 1);
        // A log left by an older agent, into which the app wrote directly: 1 TiB, sparse, not one newline.
        Path planted = f.log("quiet").resolveSibling("planted");
        try (RandomAccessFile r = new RandomAccessFile(planted.toFile(), "rw")) {
            r.setLength(1L << 40);
            r.seek((1L << 40) - 5);
            r.write("tail!".getBytes(StandardCharsets.UTF_8));
        }
        Files.move(planted, f.log("quiet"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long started = System.nanoTime();
        Map<String, Object> logs = f.command("logs", "{\"id\":\"op-huge\",\"app\":\"quiet\",\"tail\":5}", "op-huge");
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "answered at once");
        assertEquals(true, logs.get("ok"), logs.toString());
        Map<String, Object> result = (Map<String, Object>) logs.get("result");
        List<String> lines = (List<String>) result.get("lines");
        assertEquals(1, lines.size(), "the end of the one endless line");
        assertTrue(lines.get(0).endsWith("tail!") && lines.get(0).length() < 64 * 1024, "length " + lines.get(0).length());
        assertEquals(true, result.get("truncated"));
        f.discard("quiet-1");
    }
    @Test
    void anAppThatLogsWhileTheAgentIsDownWaitsAndIsDrainedByTheNextAgent() throws Exception {
        // 20,000 lines (about 230 KiB, more than a pipe holds) written only once the agent is gone.
        String burst = TestImages.push(f, "burst", List.of("/bin/sh", "-c", "echo burst: start; sleep 3; i=0; "
                + "while [ $i -lt 20000 ]; do echo \"tick: $i\"; i=$((i+1)); done; echo burst: done; sleep 600"), null);
        assertEquals(true, f.deploy("op-burst", "burst", burst, ",\"restart\":\"no\"").get("ok"));
        f.lines("burst", "burst: start", 1);
        long pid = f.pidOf("burst-1");
        f.stopAgent();
        try {
            Thread.sleep(6000); // the burst fills the pipe and blocks: no reader but its own, no SIGPIPE
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the app lives on without the agent");
            assertTrue(!end(f.log("burst"), 64).contains("burst: done"));
        } finally {
            f.startAgent();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> end(f.log("burst"), 64).contains("burst: done"));
        assertEquals(pid, f.pidOf("burst-1"), "the same container, never restarted");
        List<String> lines = Files.readAllLines(f.log("burst"));
        assertEquals(20000, lines.stream().filter(l -> l.startsWith("tick: ")).distinct().count(), "no line lost");
        f.discard("burst-1");
    }
}
