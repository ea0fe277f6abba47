package dev.edgeagent.edgectl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusViewTest {
    @Test
    void showsTheLastAgentUpdateAndWhichLimitsAreTheProfilesDefaults() throws Exception {
        String status = "{\"device\":\"d1\",\"time\":\"t\",\"agent\":{\"version\":\"0.1.0\",\"lastUpdate\":{\"version\":\"0.2.0\","
                + "\"outcome\":\"rolled-back\",\"reason\":\"no status within the grace period of 120 s\",\"at\":\"t2\"}},"
                + "\"apps\":{\"demo\":{\"phase\":\"RUNNING\",\"limits\":{\"memoryBytes\":67108864,\"pids\":64,\"cpus\":1.0},"
                + "\"limitsFrom\":{\"memoryBytes\":\"order\",\"pids\":\"profile\",\"cpus\":\"profile\"},\"idRange\":{}}}}";
        String view = StatusView.render(Json.object(status.getBytes(StandardCharsets.UTF_8)));
        assertTrue(view.contains("last update: 0.2.0 rolled-back (no status within the grace period of 120 s) at t2"), view);
        assertTrue(view.contains("memory 67108864 bytes, pids 64 (profile default), cpus 1.0 (profile default)"), view);
    }
}
