package dev.edgeagent.agent.audit;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The audit trail's chain, pure: each entry is one JSON line whose last field, {@code hash}, is the sha256 of every
 * byte before it ({@code {"seq":…,"prev":"sha256:…"}} without the closing brace), and whose {@code prev} is the hash
 * of the entry before. Changing any byte of an entry breaks its own hash; changing its hash too breaks the next
 * entry's {@code prev}; removing the last entries is caught against the head kept beside the trail (and published).
 */
public final class AuditChain {
    /** The {@code prev} of the very first entry. */
    public static final String GENESIS = "sha256:" + "0".repeat(64);
    private static final String HASH_FIELD = ",\"hash\":\"";

    private AuditChain() {}

    /** An entry's line (without newline), chained onto {@code prev}; {@code fields} must not hold seq, prev or hash. */
    public static String line(long seq, Map<String, Object> fields, String prev) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", seq);
        m.putAll(fields);
        m.put("prev", prev);
        String json = new String(Json.compact(m), StandardCharsets.UTF_8);
        String body = json.substring(0, json.length() - 1);
        return body + HASH_FIELD + hashOf(body) + "\"}";
    }

    /** The hash a line written by {@link #line} ends with, read without parsing the line. */
    static String hashOfLine(String line) {
        int at = line.lastIndexOf(HASH_FIELD);
        return line.substring(at + HASH_FIELD.length(), line.length() - 2);
    }

    static String hashOf(String body) {
        return Digest.sha256Of(body.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** One line read back: its sequence number, its fields (hash included) and whether its own hash holds. */
    public record Read(long seq, String prev, String hash, boolean hashHolds, Map<String, Object> fields) {}

    public static Read read(String line) throws IOException {
        int at = line.lastIndexOf(HASH_FIELD);
        if (at < 0 || !line.endsWith("\"}")) {
            throw new IOException("not an audit entry (no hash at its end)");
        }
        String body = line.substring(0, at);
        String hash = line.substring(at + HASH_FIELD.length(), line.length() - 2);
        Map<String, Object> fields = Json.object(line.getBytes(StandardCharsets.UTF_8));
        if (!(fields.get("seq") instanceof Number seq) || !(fields.get("prev") instanceof String prev)) {
            throw new IOException("an audit entry without seq or prev");
        }
        return new Read(seq.longValue(), prev, hash, hashOf(body).equals(hash), fields);
    }

    /** Where a chain stands: its last sequence number and hash, or the first problem found in it. */
    public record Verdict(long seq, String head, Optional<String> problem) {
        public boolean intact() {
            return problem.isEmpty();
        }
    }

    /**
     * Verifies lines in order, starting after {@code (seq, prev)}; with {@code anchored} false (the oldest entries were
     * rotated out) the first line's {@code prev} is taken as it is, since what it points to is gone. {@code where}
     * names each line for the problem (segment file and line number).
     */
    public static Verdict verify(List<String> lines, List<String> where, long seq, String prev, boolean anchored) {
        for (int i = 0; i < lines.size(); i++) {
            Read r;
            try {
                r = read(lines.get(i));
            } catch (IOException e) {
                return new Verdict(seq, prev, Optional.of(where.get(i) + ": " + e.getMessage()));
            }
            if (!r.hashHolds()) {
                return new Verdict(seq, prev, Optional.of(where.get(i) + ": entry " + r.seq() + " was changed (its hash does not match its content)"));
            }
            boolean first = i == 0 && !anchored;
            if (!first && !r.prev().equals(prev)) {
                return new Verdict(seq, prev, Optional.of(where.get(i) + ": entry " + r.seq() + " does not follow entry " + seq
                        + " (its prev is not that entry's hash): an entry before it was changed or removed"));
            }
            if (!first && r.seq() != seq + 1) {
                return new Verdict(seq, prev, Optional.of(where.get(i) + ": entry " + r.seq() + " follows entry " + seq
                        + ": entries were removed"));
            }
            seq = r.seq();
            prev = r.hash();
        }
        return new Verdict(seq, prev, Optional.empty());
    }
}
