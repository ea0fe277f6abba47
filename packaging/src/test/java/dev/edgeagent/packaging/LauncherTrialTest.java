package dev.edgeagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's decision alone (bin/edgeagent, installed as /usr/bin/edgeagent): which jar it starts and what it
 * does with a release on trial, with a stand-in {@code java} (JAVA_HOME) that records the jar it was given and
 * exits or sleeps as told. No JVM starts, so each case takes milliseconds; SelfUpdateIT runs the real thing.
 */
class LauncherTrialTest {
    @TempDir
    Path dir;
    Path agent;
    Path config;
    Path record;
    Path javaHome;

    @BeforeEach
    void layout() throws Exception {
        agent = dir.resolve("root/agent");
        Files.createDirectories(agent);
        config = dir.resolve("config.json");
        Files.writeString(config, "{\n  \"deviceId\": \"d1\",\n  \"broker\": \"tcp://127.0.0.1:1\",\n  \"root\": \"" + dir.resolve("root")
                + "\",\n  \"trust\": {\"allowUnsigned\": true}\n}\n");
        record = dir.resolve("started");
        javaHome = dir.resolve("jdk");
        Files.createDirectories(javaHome.resolve("bin"));
        Path java = javaHome.resolve("bin/java");
        // records "<jar>" and then behaves as $STANDIN_EXIT says: a number to exit with, or "sleep" to hang
        Files.writeString(java, """
                #!/bin/sh
                while [ $# -gt 0 ] && [ "$1" != -jar ]; do shift; done
                echo "$2" > "$STANDIN_RECORD"
                if [ "$STANDIN_EXIT" = sleep ]; then exec sleep 30; fi
                exit "$STANDIN_EXIT"
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    void release(String version) throws Exception {
        Files.createDirectories(agent.resolve(version));
        Files.writeString(agent.resolve(version).resolve("edgeagent.jar"), "stand-in " + version);
    }

    void current(String version) throws Exception {
        Files.deleteIfExists(agent.resolve("current"));
        Files.createSymbolicLink(agent.resolve("current"), Path.of(version));
    }

    void trial(String version, String previous, int attempts, int grace) throws Exception {
        Files.writeString(agent.resolve("trial"), "version=" + version + "\nprevious=" + previous + "\ngraceSeconds=" + grace
                + "\nattempts=" + attempts + "\norder=op-1\n");
    }

    /** Runs the launcher as the unit does; returns the jar the stand-in java was started with. */
    String launch(String behaviour) throws Exception {
        Files.deleteIfExists(record);
        ProcessBuilder pb = new ProcessBuilder(Tools.repoRoot().resolve("bin/edgeagent").toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("launcher.log").toFile());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("EDGEAGENT_JAVA_OPTS", "-Xmx8m");
        pb.environment().put("STANDIN_RECORD", record.toString());
        pb.environment().put("STANDIN_EXIT", behaviour);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher ended");
        return Files.readString(record).strip();
    }

    @Test
    void withoutReleasesThePackagedJarAndWithOneTheCurrentRelease() throws Exception {
        Files.delete(agent);
        assertTrue(launch("0").endsWith("agent/target/edgeagent.jar"));
        Files.createDirectories(agent);
        release("0.2.0");
        current("0.2.0");
        assertEquals(agent.resolve("current/edgeagent.jar").toString(), launch("0"));
    }

    @Test
    void aTrialGetsOneStartAndIsRolledBackWhenStartedAgainAndThatIsDoneOnce() throws Exception {
        release("0.1.5");
        release("0.2.0");
        current("0.2.0");
        trial("0.2.0", "0.1.5", 0, 2); // a short grace: the watchdog this start leaves ends soon after the test

        assertEquals(agent.resolve("current/edgeagent.jar").toString(), launch("1"), "the first start is the release's");
        String trialNow = Files.readString(agent.resolve("trial"));
        assertTrue(trialNow.contains("attempts=1\n") && trialNow.contains("pid="), trialNow);

        launch("0"); // it exited without committing: this start rolls it back
        assertEquals("0.1.5", Files.readSymbolicLink(agent.resolve("current")).toString());
        assertFalse(Files.exists(agent.resolve("trial")));
        assertTrue(Files.exists(agent.resolve("failed/0.2.0")));
        String last = Files.readString(agent.resolve("last-update"));
        assertTrue(last.contains("version=0.2.0\n") && last.contains("outcome=rolled-back\n") && last.contains("reported=0\n"), last);

        String again = launch("0");
        assertEquals(agent.resolve("current/edgeagent.jar").toString(), again);
        assertEquals("0.1.5", Files.readSymbolicLink(agent.resolve("current")).toString(), "a further start changes nothing");
        assertEquals(last, Files.readString(agent.resolve("last-update")));
    }

    @Test
    void anUnreadableTrialIsJudgedAsStartedOnceAndRolledBack() throws Exception {
        release("0.2.0");
        current("0.2.0");
        Files.writeString(agent.resolve("trial"), "version=0.2.0\nprevious=packaged\nattempts=oops\n");
        assertTrue(launch("0").endsWith("agent/target/edgeagent.jar"));
        assertTrue(Files.exists(agent.resolve("failed/0.2.0")));
    }

    @Test
    void aTrialAfterThePackagedJarRollsBackToIt() throws Exception {
        release("0.2.0");
        current("0.2.0");
        trial("0.2.0", "packaged", 1, 120);
        assertTrue(launch("0").endsWith("agent/target/edgeagent.jar"));
        assertFalse(Files.exists(agent.resolve("current"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aTrialWhoseSwitchNeverHappenedIsSetAsideAndTheCurrentReleaseRuns() throws Exception {
        release("0.1.5");
        release("0.2.0");
        current("0.1.5");
        trial("0.2.0", "0.1.5", 0, 2); // a short grace: the watchdog this start leaves ends soon after the test
        assertEquals(agent.resolve("current/edgeagent.jar").toString(), launch("0"));
        assertEquals("0.1.5", Files.readSymbolicLink(agent.resolve("current")).toString());
        assertFalse(Files.exists(agent.resolve("trial")));
        assertTrue(Files.exists(agent.resolve("failed/0.2.0")));
        assertFalse(Files.exists(agent.resolve("last-update")), "nothing of it ran: no outcome to report");
    }

    @Test
    void aReleaseThatHangsIsStoppedByTheWatchdogAfterTheGracePeriodWithTheReason() throws Exception {
        release("0.2.0");
        current("0.2.0");
        trial("0.2.0", "packaged", 0, 1);
        long started = System.nanoTime();
        launch("sleep"); // the stand-in sleeps 30 s; the watchdog ends it after 1 s
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertTrue(seconds < 15, "stopped by the watchdog, not by its own end: " + seconds + " s");
        assertEquals("no status within the grace period of 1 s", Files.readString(agent.resolve("trial-reason")).strip());
        assertFalse(Files.readString(agent.resolve("trial")).contains("reason"), "the watchdog never writes the trial itself");

        assertTrue(launch("0").endsWith("agent/target/edgeagent.jar"), "the next start rolls it back");
        assertTrue(Files.readString(agent.resolve("last-update")).contains("reason=no status within the grace period of 1 s"));
        assertEquals(List.of("0.2.0"), List.of(agent.resolve("failed").toFile().list()));
        assertFalse(Files.exists(agent.resolve("trial-reason")));
    }
}
