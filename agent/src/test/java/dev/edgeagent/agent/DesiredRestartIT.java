package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A desired state whose release failed its health check and was rolled back stays rolled back when the agent
 * restarts: the good generation keeps running, the bad one is not run through its grace period again (issue 16).
 */
class DesiredRestartIT {
    static AgentFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = AgentFixture.withDemo("rolled", List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static String doc(long version, String image, String extra) {
        return "{\"version\":" + version + ",\"target\":\"rolled\",\"apps\":[{\"app\":\"steady\",\"image\":\"" + image + "\"" + extra + "}]}";
    }

    @Test
    void aRolledBackReleaseStaysRolledBackAcrossARestart() throws Exception {
        f.mqtt.publishRetained("edge/rolled/desired", doc(1, f.demo, ""));
        assertEquals(1, f.event("-", "desired.applied", 60).get("version"));
        String bad = TestImages.push(f, "bad", List.of("/bin/sh", "-c", "echo 'bad: start'; sleep 1; exit 1"), null);

        f.mqtt.publishRetained("edge/rolled/desired", doc(2, bad, ",\"health\":{\"graceSeconds\":3}"));
        Map<String, Object> failed = f.event("-", "desired.failed", 90);
        assertEquals(2, failed.get("version"), failed.toString());
        assertTrue(String.valueOf(failed.get("failures")).contains("ROLLED_BACK"), failed.toString());
        long pid = f.pidOf("steady-1");

        f.stopAgent();
        f.startAgent();
        // A changing order queues behind whatever the agent does at start: once answered, a resumed document would
        // have been applied (and rolled back) already.
        assertEquals("NOT_FOUND", f.command("stop", "{\"id\":\"op-after-restart\",\"app\":\"nobody\"}", "op-after-restart").get("code"));
        assertEquals(pid, f.pidOf("steady-1"), "the good generation kept running, untouched");
        assertFalse(f.containers().contains("steady-2"), f.containers().toString());
        Map<String, Object> status = f.status("\"desired\":{\"version\":2");
        @SuppressWarnings("unchecked")
        Map<String, Object> desired = (Map<String, Object>) status.get("desired");
        assertEquals(false, desired.get("applied"), desired.toString());
        assertTrue(String.valueOf(desired.get("failures")).contains("ROLLED_BACK"), desired.toString());
    }
}
