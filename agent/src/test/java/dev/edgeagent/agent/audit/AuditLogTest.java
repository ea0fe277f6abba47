package dev.edgeagent.agent.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trail verifies across restarts and rotations; an edit or a cut made while the agent was down is found at start. */
class AuditLogTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    static void deploys(AuditLog log, int n, String prefix) {
        for (int i = 0; i < n; i++) {
            log.record("deploy", Optional.of(prefix + i), List.of("b0b", "a11ce"), "OK", "mqtt", Map.of());
        }
    }

    List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @Test
    void theChainVerifiesAcrossRestartsAndEachEntrySaysWhoOrderedWhat() throws Exception {
        AuditLog log = AuditLog.open(dir, CLOCK);
        deploys(log, 3, "op-");
        String head = (String) log.status().get("head");
        AuditLog again = AuditLog.open(dir, CLOCK);
        assertEquals(Map.of("sequence", 3L, "head", head, "intact", true), again.status());
        deploys(again, 1, "later-");
        List<Map<String, Object>> entries = AuditLog.open(dir, CLOCK).read(Optional.empty(), 10);
        assertEquals(4, entries.size());
        Map<String, Object> first = entries.get(0);
        assertEquals("deploy", first.get("command"));
        assertEquals("op-0", first.get("id"));
        assertEquals(List.of("a11ce", "b0b"), first.get("signers"));
        assertEquals("OK", first.get("outcome"));
        assertEquals(AuditChain.GENESIS, first.get("prev"));
        assertEquals(entries.get(0).get("hash"), entries.get(1).get("prev"));
        assertEquals(1, AuditLog.open(dir, CLOCK).read(Optional.of(Instant.parse("2026-12-02T10:00:00Z")), 1).size());
        assertEquals(0, AuditLog.open(dir, CLOCK).read(Optional.of(Instant.parse("2026-12-02T10:00:01Z")), 10).size());
    }

    @Test
    void anEntryEditedWhileTheAgentWasDownIsFoundAtStartAndTheFindingIsRecorded() throws Exception {
        deploys(AuditLog.open(dir, CLOCK), 3, "op-");
        Path segment = segments().get(0);
        Files.writeString(segment, Files.readString(segment).replace("\"id\":\"op-1\"", "\"id\":\"op-X\""));
        AuditLog reopened = AuditLog.open(dir, CLOCK);
        Map<String, Object> status = reopened.status();
        assertEquals(false, status.get("intact"), status.toString());
        assertTrue(((String) status.get("problem")).contains("entry 2 was changed"), status.toString());
        List<Map<String, Object>> entries = reopened.read(Optional.empty(), 10);
        Map<String, Object> finding = entries.get(entries.size() - 1);
        assertEquals("audit.tamper-detected", finding.get("command"));
        assertEquals("TAMPERED", finding.get("outcome"));
        assertEquals(4L, ((Number) finding.get("seq")).longValue());
    }

    @Test
    void aRewrittenHashBreaksTheNextLinkAndACutEndIsFoundAgainstTheHead() throws Exception {
        deploys(AuditLog.open(dir, CLOCK), 3, "op-");
        Path segment = segments().get(0);
        List<String> lines = Files.readAllLines(segment);
        // Re-hash the edited entry so it holds by itself: the next entry's prev no longer matches.
        AuditChain.Read second = AuditChain.read(lines.get(1));
        Map<String, Object> fields = new java.util.LinkedHashMap<>(second.fields());
        fields.remove("seq");
        fields.remove("prev");
        fields.remove("hash");
        fields.put("outcome", "NOT_PERMITTED");
        List<String> forged = new ArrayList<>(lines);
        forged.set(1, AuditChain.line(2, fields, second.prev()));
        Files.write(segment, forged, StandardCharsets.UTF_8);
        assertTrue(((String) AuditLog.open(dir, CLOCK).status().get("problem")).contains("entry 3 does not follow entry 2"));

        Path other = dir.resolve("cut");
        deploys(AuditLog.open(other, CLOCK), 3, "op-");
        Path cutSegment = other.resolve("audit-000000000001.jsonl");
        List<String> all = Files.readAllLines(cutSegment);
        Files.write(cutSegment, all.subList(0, 2), StandardCharsets.UTF_8);
        Map<String, Object> status = AuditLog.open(other, CLOCK).status();
        assertEquals(false, status.get("intact"));
        assertTrue(((String) status.get("problem")).contains("entries were removed from its end"), status.toString());
    }

    @Test
    void theTrailIsBoundedTheRotationIsRecordedAndWhatIsKeptStillVerifies() throws Exception {
        AuditLog log = AuditLog.open(dir, CLOCK, 2048, 3);
        deploys(log, 60, "op-");
        assertEquals(3, segments().size(), segments().toString());
        long bytes = 0;
        for (Path p : segments()) {
            bytes += Files.size(p);
        }
        assertTrue(bytes <= 3 * 2048, "trail of " + bytes + " bytes");
        AuditLog reopened = AuditLog.open(dir, CLOCK, 2048, 3);
        assertEquals(true, reopened.status().get("intact"), reopened.status().toString());
        List<Map<String, Object>> kept = reopened.read(Optional.empty(), 500);
        assertTrue(kept.stream().anyMatch(e -> "audit.rotated".equals(e.get("command"))
                && ((String) e.get("detail")).matches("dropped audit-[0-9]{12}\\.jsonl \\(entries [0-9]+ to [0-9]+\\)")),
                "no rotation recorded among " + kept.size() + " entries");
        assertFalse(kept.stream().anyMatch(e -> "op-0".equals(e.get("id"))));
        assertEquals(reopened.status().get("sequence"), ((Number) kept.get(kept.size() - 1).get("seq")).longValue());
    }
}
