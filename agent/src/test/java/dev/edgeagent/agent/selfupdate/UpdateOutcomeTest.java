package dev.edgeagent.agent.selfupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.AgentVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateOutcomeTest {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static final AgentVersion V2 = AgentVersion.parse("0.2.0");

    @TempDir
    Path root;

    final List<String> events = new ArrayList<>();

    AgentSlots slots() throws Exception {
        AgentSlots s = AgentSlots.under(root);
        Files.createDirectories(s.dir());
        return s;
    }

    @Test
    void theReleaseOnTrialCommitsOnceConnectedAndOlderReleasesGo() throws Exception {
        AgentSlots s = slots();
        Files.createDirectories(s.dir().resolve("0.0.9"));
        Files.createDirectories(s.dir().resolve("0.1.0"));
        Files.createDirectories(s.release(V2));
        AgentUpdate.switchTo(s, "0.2.0");
        s.write(s.trial(), new LinkedHashMap<>(Map.of("version", "0.2.0", "previous", "0.1.0", "attempts", "1")));

        Map<String, Object> agent = UpdateOutcome.settle(s, V2, NOW, (type, d) -> events.add(type));

        assertFalse(Files.exists(s.trial()));
        assertEquals(V2, s.highest().orElseThrow());
        assertEquals(List.of("agent.update.committed"), events);
        assertEquals("committed", ((Map<?, ?>) agent.get("lastUpdate")).get("outcome"));
        assertTrue(Files.isDirectory(s.dir().resolve("0.1.0")), "the previous release stays, to come back to");
        assertFalse(Files.exists(s.dir().resolve("0.0.9")), "older ones are never started again");
    }

    @Test
    void anAgentRolledBackToReportsItOnceAndKeepsItInStatus() throws Exception {
        AgentSlots s = slots();
        s.write(s.lastUpdate(), new LinkedHashMap<>(Map.of("version", "0.2.0", "outcome", "rolled-back",
                "reason", "no status within the grace period of 120 s", "at", NOW.toString(), "reported", "0")));
        AgentVersion v1 = AgentVersion.parse("0.1.0");

        Map<String, Object> first = UpdateOutcome.settle(s, v1, NOW, (type, d) -> events.add(type));
        Map<String, Object> second = UpdateOutcome.settle(s, v1, NOW, (type, d) -> events.add(type));

        assertEquals(List.of("agent.update.rolled-back"), events, "reported once, not at every start");
        assertEquals(first, second);
        assertEquals("0.1.0", first.get("version"));
        assertEquals("no status within the grace period of 120 s", ((Map<?, ?>) first.get("lastUpdate")).get("reason"));
    }

    @Test
    void aTrialOfAnotherVersionIsLeftToTheLauncher() throws Exception {
        AgentSlots s = slots();
        s.write(s.trial(), Map.of("version", "0.3.0", "previous", "packaged", "attempts", "1"));
        UpdateOutcome.settle(s, AgentVersion.parse("0.1.0"), NOW, (type, d) -> events.add(type));
        assertTrue(Files.exists(s.trial()));
        assertTrue(s.highest().isEmpty());
    }

    @Test
    void keyValueFilesReadBackAsWrittenWithLineBreaksInValuesFlattened() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", "0.2.0");
        m.put("reason", "exit 1\nthen more");
        assertEquals(Map.of("version", "0.2.0", "reason", "exit 1 then more"), AgentSlots.parse(AgentSlots.format(m)));
    }
}
