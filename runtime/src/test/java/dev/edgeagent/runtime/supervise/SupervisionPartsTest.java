package dev.edgeagent.runtime.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.RestartMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisionPartsTest {
    @TempDir
    Path dir;

    @Test
    void decodesWaitStatuses() {
        ExitStatus exited = ExitStatus.fromWaitStatus(3 << 8, false);
        assertEquals(Optional.of(3), exited.code());
        assertEquals("exited with code 3", exited.describe());
        ExitStatus killed = ExitStatus.fromWaitStatus(9, true);
        assertEquals(Optional.of(9), killed.signal());
        assertEquals(Optional.of(137), killed.shellCode());
        assertTrue(killed.describe().contains("OOM"));
        assertTrue(ExitStatus.fromWaitStatus(0, false).isSuccess());
        assertFalse(ExitStatus.fromWaitStatus(0, true).isSuccess(), "an OOM kill is never a success");
    }

    @Test
    void restartPoliciesBackOffAndCap() {
        RestartPolicy onFailure = new RestartPolicy(RestartMode.ON_FAILURE, Duration.ofSeconds(1), Duration.ofSeconds(30));
        ExitStatus crash = ExitStatus.fromWaitStatus(1 << 8, false);
        assertEquals(Optional.of(Duration.ofSeconds(1)), onFailure.next(crash, 0));
        assertEquals(Optional.of(Duration.ofSeconds(8)), onFailure.next(crash, 3));
        assertEquals(Optional.of(Duration.ofSeconds(30)), onFailure.next(crash, 12));
        assertEquals(Optional.empty(), onFailure.next(ExitStatus.fromWaitStatus(0, false), 0));
        assertEquals(Optional.of(Duration.ofSeconds(1)), onFailure.next(ExitStatus.UNKNOWN, 0), "an unknown end is a failure");
        assertEquals(Optional.empty(), RestartPolicy.of(RestartMode.NO).next(crash, 0));
        assertTrue(RestartPolicy.of(RestartMode.ALWAYS).next(ExitStatus.fromWaitStatus(0, false), 0).isPresent());
        assertEquals(RestartMode.ON_FAILURE, RestartMode.parse("on-failure"));
        assertEquals("on-failure", RestartMode.ON_FAILURE.wire());
    }

    @Test
    void rotatesByRenameNeverCopyingAndNoFilePassesTheCap() throws Exception {
        Path log = dir.resolve("app.log");
        LogRotator rotator = new LogRotator(1024, 2);
        try (LogRotator.LogFile f = rotator.open(log)) {
            f.write("a".repeat(1000).getBytes(), 0, 1000);
            Object first = Files.getAttribute(log, "unix:ino");
            f.write("b".repeat(2000).getBytes(), 0, 2000); // fills the first file, then one of its own, then more
            assertEquals(first, Files.getAttribute(dir.resolve("app.log.2"), "unix:ino"), "rotated by rename, not copied");
            f.write("c".repeat(100).getBytes(), 0, 100);
        }
        // The oldest (a…) was dropped when the c's no longer fitted; each file holds at most 1024 bytes.
        assertEquals("b".repeat(1024), Files.readString(dir.resolve("app.log.2")));
        assertEquals("b".repeat(952) + "c".repeat(72), Files.readString(dir.resolve("app.log.1")));
        assertEquals("c".repeat(28), Files.readString(log));
        assertFalse(Files.exists(dir.resolve("app.log.3")));
    }

    @Test
    void aLogLeftOverTheCapIsRotatedAwayWhenOpened() throws Exception {
        Path log = dir.resolve("old.log");
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(log.toFile(), "rw")) {
            r.setLength(1L << 40); // sparse, as an app could make it when it wrote the file itself
        }
        try (LogRotator.LogFile f = new LogRotator(1024, 1).open(log)) {
            f.write(new byte[] {'x'}, 0, 1);
        }
        assertEquals(1, Files.size(log));
    }

    @Test
    void readsCgroupV1AndV2() throws Exception {
        Path v1 = dir.resolve("v1");
        Path mem = Files.createDirectories(v1.resolve("memory/edgeagent/demo-1"));
        Files.writeString(mem.resolve("memory.usage_in_bytes"), "1048576\n");
        Files.writeString(mem.resolve("memory.limit_in_bytes"), "67108864\n");
        Files.writeString(mem.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        Files.writeString(Files.createDirectories(v1.resolve("cpuacct/edgeagent/demo-1")).resolve("cpuacct.usage"), "5000\n");
        Files.writeString(Files.createDirectories(v1.resolve("pids/edgeagent/demo-1")).resolve("pids.current"), "3\n");
        assertEquals(new CgroupStats(1048576, 67108864, 5000, 3, 2), new CgroupFiles(v1).stats("/edgeagent/demo-1").orElseThrow());

        Path v2 = dir.resolve("v2");
        Files.writeString(Files.createDirectories(v2).resolve("cgroup.controllers"), "cpu memory pids\n");
        Path c = Files.createDirectories(v2.resolve("edgeagent/demo-1"));
        Files.writeString(c.resolve("memory.current"), "2048\n");
        Files.writeString(c.resolve("memory.max"), "max\n");
        Files.writeString(c.resolve("cpu.stat"), "usage_usec 7\nuser_usec 5\n");
        Files.writeString(c.resolve("pids.current"), "1\n");
        Files.writeString(c.resolve("memory.events"), "low 0\noom 1\noom_kill 1\n");
        assertEquals(new CgroupStats(2048, -1, 7000, 1, 1), new CgroupFiles(v2).stats("/edgeagent/demo-1").orElseThrow());
        assertEquals(Optional.empty(), new CgroupFiles(v2).stats("/edgeagent/gone"));
    }
}
