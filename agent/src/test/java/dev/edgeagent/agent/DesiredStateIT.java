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
 * Retained, versioned desired state over the real broker: the device converges to it, refuses an older version,
 * catches up after being away, prefers its own document to its group's, and ignores documents for others.
 */
class DesiredStateIT {
    static AgentFixture f;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        f = AgentFixture.withDemo("desired", List.of("north"));
        image = f.demo;
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static String doc(long version, String target, String... apps) {
        StringBuilder sb = new StringBuilder("{\"version\":" + version + ",\"target\":\"" + target + "\",\"apps\":[");
        for (int i = 0; i < apps.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"app\":\"").append(apps[i]).append("\",\"image\":\"").append(image)
                    .append("\",\"restart\":\"no\"}");
        }
        return sb.append("]}").toString();
    }

    /** The apps in the first status published once desired version {@code version} was applied. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> apps(long version) throws Exception {
        return (Map<String, Object>) f.status("\"desired\":{\"version\":" + version + ",\"target\":\"desired\",\"applied\":true")
                .get("apps");
    }

    private static Map<String, Object> desiredEvent(String type) throws Exception {
        return f.event("-", type, 60);
    }

    @Test
    void theDeviceConvergesRefusesRollbacksAndCatchesUp() throws Exception {
        f.mqtt.publishRetained("edge/desired/desired", doc(1, "desired", "alpha", "beta"));
        assertEquals(1, desiredEvent("desired.applied").get("version"));
        assertEquals(java.util.Set.of("alpha", "beta"), apps(1).keySet());

        f.mqtt.publishRetained("edge/desired/desired", doc(2, "desired", "alpha"));
        assertEquals(2, desiredEvent("desired.applied").get("version"));
        assertEquals(java.util.Set.of("alpha"), apps(2).keySet());
        assertFalse(f.containers().contains("beta-1"), "an app no longer desired is removed");

        f.mqtt.publishRetained("edge/desired/desired", doc(1, "desired", "alpha", "beta"));
        Map<String, Object> refused = desiredEvent("desired.refused");
        assertEquals("ROLLBACK_REFUSED", refused.get("code"), refused.toString());
        assertEquals(java.util.Set.of("alpha"), apps(2).keySet());

        f.stopAgent();
        f.mqtt.publishRetained("edge/desired/desired", doc(3, "desired", "alpha", "gamma"));
        f.startAgent();
        assertEquals(3, desiredEvent("desired.applied").get("version"), "caught up from the retained document");
        assertEquals(java.util.Set.of("alpha", "gamma"), apps(3).keySet());

        f.mqtt.publishRetained("edge/group/north/desired", doc(10, "group:north", "delta"));
        f.mqtt.publishRetained("edge/desired/desired", doc(4, "other-device", "delta"));
        Map<String, Object> other = desiredEvent("desired.refused");
        assertTrue(String.valueOf(other.get("message")).contains("not for this device"), other.toString());
        assertEquals(java.util.Set.of("alpha", "gamma"), apps(3).keySet(), "the device's own document outranks its group's");

        f.mqtt.publishRetained("edge/desired/desired", doc(5, "desired"));
        assertEquals(5, desiredEvent("desired.applied").get("version"));
        assertTrue(apps(5).isEmpty(), "an empty desired state removes every app");
        assertTrue(f.containers().isEmpty(), f.containers().toString());
    }
}
