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
    Path cache;
    /** The launcher run: the checkout's, or a copy beside a class list of its own (classArchiveLayout). */
    Path launcher;
    /** Whether the launcher may use the class-data archive (else EDGEAGENT_JAVA_OPTS turns it off). */
    boolean cds;

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
        launcher = Tools.repoRoot().resolve("bin/edgeagent");
        cache = dir.resolve("cache");
        // a class-data dump is logged in $STANDIN_RECORD.dumps and makes the archive it names; -version prints one;
        // a start records "<jar>" (and its archive flag in $STANDIN_RECORD.flags), then behaves as $STANDIN_EXIT
        // says: a number to exit with, or "sleep" to hang
        Files.writeString(java, """
                #!/bin/sh
                case " $* " in
                  *" -version "*) echo 'openjdk version "17.0.15"' >&2; exit 0 ;;
                  *" -Xshare:dump "*)
                    for a in "$@"; do case "$a" in -XX:SharedArchiveFile=*) : > "${a#-XX:SharedArchiveFile=}" ;; esac; done
                    echo dump >> "$STANDIN_RECORD.dumps"; exit 0 ;;
                esac
                for a in "$@"; do case "$a" in -XX:SharedArchiveFile=*) echo "$a" > "$STANDIN_RECORD.flags" ;; esac; done
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
        Files.deleteIfExists(Path.of(record + ".flags"));
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("launcher.log").toFile());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        if (cds) {
            pb.environment().remove("EDGEAGENT_JAVA_OPTS");
            pb.environment().remove("EDGEAGENT_CDS");
            pb.environment().put("EDGEAGENT_CACHE_DIR", cache.toString());
            pb.environment().put("EDGEAGENT_RAM_MB", "512");
        } else {
            pb.environment().put("EDGEAGENT_JAVA_OPTS", "-Xmx8m");
        }
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

    /** A copy of the launcher in a checkout of its own, with a packaged jar and a class list beside it. */
    void classArchiveLayout() throws Exception {
        Path checkout = dir.resolve("checkout");
        Files.createDirectories(checkout.resolve("bin"));
        Files.createDirectories(checkout.resolve("packaging"));
        Files.createDirectories(checkout.resolve("agent/target"));
        launcher = checkout.resolve("bin/edgeagent");
        Files.copy(Tools.repoRoot().resolve("bin/edgeagent"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(checkout.resolve("packaging/edgeagent.classlist"), "dev/edgeagent/agent/Main\n");
        Files.writeString(checkout.resolve("agent/target/edgeagent.jar"), "stand-in packaged");
        cds = true;
    }

    /** How many class-data dumps the launcher ran so far. */
    long dumps() throws Exception {
        Path p = Path.of(record + ".dumps");
        return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    }

    /** The archive flag of the last start, or "" when it started without one. */
    String mapped() throws Exception {
        Path p = Path.of(record + ".flags");
        return Files.exists(p) ? Files.readString(p).strip() : "";
    }

    @Test
    void aTrialStartNeverMakesTheClassArchiveButMapsOneAlreadyThere() throws Exception {
        classArchiveLayout();
        release("0.1.5");
        release("0.2.0");
        current("0.2.0");
        trial("0.2.0", "0.1.5", 0, 2); // a short grace: the watchdog this start leaves ends soon after the test
        assertEquals(agent.resolve("current/edgeagent.jar").toString(), launch("0"));
        assertEquals(0, dumps(), "the dump would come out of the trial's grace period");
        assertEquals("", mapped());

        Files.delete(agent.resolve("trial")); // committed: the next start makes the archive, for this release's jar
        assertEquals(agent.resolve("current/edgeagent.jar").toString(), launch("0"));
        assertEquals(1, dumps());
        String archive = mapped();
        assertTrue(archive.startsWith("-XX:SharedArchiveFile=" + cache + "/edgeagent-"), archive);

        trial("0.2.0", "0.1.5", 0, 2); // a trial of a jar whose archive is there maps it and dumps nothing
        launch("0");
        assertEquals(1, dumps());
        assertEquals(archive, mapped());

        Files.delete(agent.resolve("trial"));
        // another jar (the key is its size and time, so make it differ), another archive: a normal start makes it
        Files.writeString(agent.resolve("0.1.5/edgeagent.jar"), "stand-in 0.1.5, a jar of another size");
        current("0.1.5");
        launch("0");
        assertEquals(2, dumps());
        assertFalse(mapped().isEmpty() || mapped().equals(archive), mapped());
    }
}
