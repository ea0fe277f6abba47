package dev.edgeagent.agent.audit;

import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * The device's audit trail: who ordered what and how it ended, one hash-chained JSON line per entry
 * ({@link AuditChain}), appended and fsynced on the caller's thread before the caller goes on. Segments
 * {@code audit/audit-<first seq>.jsonl} of at most {@code segmentBytes}; beyond {@code keep} segments the oldest is
 * deleted and the deletion recorded as the first entry of the next. {@code audit/head.json} keeps the last entry's
 * sequence and hash, so entries removed from the end while the agent was down are noticed too. At start the whole
 * trail is verified; a break is reported (status, event) and recorded as an entry of its own.
 */
public final class AuditLog implements AuditSink {
    public static final long SEGMENT_BYTES = 256 * 1024;
    public static final int KEEP = 4;
    /** The most entries one read answers. */
    public static final int MAX_READ = 500;

    private final Path dir;
    private final Clock clock;
    private final long segmentBytes;
    private final int keep;
    private final AuditChain.Verdict atStart;
    private long seq;
    private String head;
    private Path segment;
    private long segmentSize;

    private AuditLog(Path dir, Clock clock, long segmentBytes, int keep, AuditChain.Verdict atStart, long seq, String head, Path segment,
            long segmentSize) {
        this.dir = dir;
        this.clock = clock;
        this.segmentBytes = segmentBytes;
        this.keep = keep;
        this.atStart = atStart;
        this.seq = seq;
        this.head = head;
        this.segment = segment;
        this.segmentSize = segmentSize;
    }

    public static AuditLog open(Path dir, Clock clock) throws IOException {
        return open(dir, clock, SEGMENT_BYTES, KEEP);
    }

    /** Opens the trail in {@code dir} (made root's alone), verifying all of it. */
    public static AuditLog open(Path dir, Clock clock, long segmentBytes, int keep) throws IOException {
        if (keep < 2 || segmentBytes < 1024) {
            throw new IllegalArgumentException("an audit trail keeps at least 2 segments of at least 1 KiB");
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        List<Path> segments = segments(dir);
        List<String> lines = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (Path s : segments) {
            List<String> in = Files.readAllLines(s, StandardCharsets.UTF_8);
            for (int i = 0; i < in.size(); i++) {
                if (!in.get(i).isEmpty()) {
                    lines.add(in.get(i));
                    where.add(s.getFileName() + " line " + (i + 1));
                }
            }
        }
        boolean anchored = segments.isEmpty() || firstSeq(segments.get(0)) == 1;
        AuditChain.Verdict v = AuditChain.verify(lines, where, 0, AuditChain.GENESIS, anchored);
        long seq = v.seq();
        String head = v.head();
        if (!v.intact()) {
            // Go on from the entry the trail ends with, as it is: the break stays in the trail for anyone to see.
            try {
                AuditChain.Read last = AuditChain.read(lines.get(lines.size() - 1));
                seq = Math.max(seq, last.seq());
                head = last.hash();
            } catch (IOException mangled) {
                // the last line itself is unreadable: go on from the last entry that verified
            }
        } else {
            v = againstHead(dir.resolve("head.json"), v);
        }
        Path segment = segments.isEmpty() ? dir.resolve(name(1)) : segments.get(segments.size() - 1);
        long size = Files.exists(segment) ? Files.size(segment) : 0;
        AuditLog log = new AuditLog(dir, clock, segmentBytes, keep, v, seq, head, segment, size);
        if (!v.intact()) {
            Logger.error("op=audit the audit trail was changed while the agent was down: {}", v.problem().get());
            log.record("audit.tamper-detected", Optional.empty(), List.of(), "TAMPERED", "agent", Map.of("detail", v.problem().get()));
        }
        return log;
    }

    /** A trail whose chain holds must also reach the head the agent last wrote (a crash may leave it one behind). */
    private static AuditChain.Verdict againstHead(Path headFile, AuditChain.Verdict v) throws IOException {
        if (!Files.exists(headFile)) {
            return v;
        }
        Map<String, Object> h = Json.object(Files.readAllBytes(headFile));
        long wrote = ((Number) h.get("seq")).longValue();
        if (v.seq() < wrote || (v.seq() == wrote && !v.head().equals(h.get("hash")))) {
            return new AuditChain.Verdict(v.seq(), v.head(), Optional.of("the trail ends at entry " + v.seq() + " but the agent last wrote entry "
                    + wrote + " (" + h.get("hash") + "): entries were removed from its end"));
        }
        return v;
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("audit-[0-9]{12}\\.jsonl")).sorted().toList();
        }
    }

    private static long firstSeq(Path segment) {
        String n = segment.getFileName().toString();
        return Long.parseLong(n.substring("audit-".length(), n.length() - ".jsonl".length()));
    }

    private static String name(long firstSeq) {
        return String.format("audit-%012d.jsonl", firstSeq);
    }

    /**
     * Appends one entry and fsyncs it: {@code command} (an order's command, or {@code trust}, {@code policy},
     * {@code desired}, …), the order's id, the key ids that signed it, the outcome code, and where it came from.
     */
    @Override
    public synchronized void record(String command, Optional<String> id, Collection<String> signers, String outcome, String via,
            Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", clock.instant().toString());
        m.put("command", command);
        m.put("id", id.orElse(null));
        m.put("signers", signers.stream().sorted().toList());
        m.put("outcome", outcome);
        m.put("via", via);
        m.putAll(new java.util.TreeMap<>(extra));
        try {
            String line = AuditChain.line(seq + 1, m, head);
            if (segmentSize > 0 && segmentSize + line.length() + 1 > segmentBytes) {
                rotate();
                line = AuditChain.line(seq + 1, m, head);
            }
            append(line);
        } catch (IOException e) {
            Logger.error("op=audit could not record {} {}: {}", command, id.orElse("-"), e.getMessage());
        }
    }

    /** A new segment; the oldest beyond {@code keep} deleted, and that recorded as the new segment's first entry. */
    private void rotate() throws IOException {
        segment = dir.resolve(name(seq + 1));
        segmentSize = 0;
        List<Path> all = new ArrayList<>(segments(dir));
        all.add(segment);
        while (all.size() > keep) {
            Path oldest = all.remove(0);
            long last = firstSeq(all.get(0)) - 1;
            Files.delete(oldest);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", clock.instant().toString());
            m.put("command", "audit.rotated");
            m.put("id", null);
            m.put("signers", List.of());
            m.put("outcome", "OK");
            m.put("via", "agent");
            m.put("detail", "dropped " + oldest.getFileName() + " (entries " + firstSeq(oldest) + " to " + last + ")");
            append(AuditChain.line(seq + 1, m, head));
        }
    }

    private void append(String line) throws IOException {
        boolean fresh = !Files.exists(segment);
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        if (fresh) {
            AtomicFiles.fsyncDirectory(dir);
        }
        seq = seq + 1; // every line appended is the entry after the head
        head = AuditChain.hashOfLine(line);
        segmentSize += bytes.length;
        AtomicFiles.write(dir.resolve("head.json"), Json.compact(Map.of("seq", seq, "hash", head)));
    }

    /** The head for status: sequence, hash, and whether the trail verified at start (with the problem if not). */
    public synchronized Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", seq);
        m.put("head", head);
        m.put("intact", atStart.intact());
        atStart.problem().ifPresent(p -> m.put("problem", p));
        return m;
    }

    /** The last {@code limit} entries (at most {@link #MAX_READ}) at or after {@code since}, oldest first. */
    public synchronized List<Map<String, Object>> read(Optional<Instant> since, int limit) throws IOException {
        int n = Math.max(1, Math.min(limit, MAX_READ));
        Deque<Map<String, Object>> out = new ArrayDeque<>();
        for (Path s : segments(dir)) {
            for (String line : Files.readAllLines(s, StandardCharsets.UTF_8)) {
                if (line.isEmpty()) {
                    continue;
                }
                Map<String, Object> e;
                try {
                    e = AuditChain.read(line).fields();
                } catch (IOException bad) {
                    continue; // a mangled line is reported at start; a read shows what can be read
                }
                if (since.isPresent() && e.get("time") instanceof String t && Instant.parse(t).isBefore(since.get())) {
                    continue;
                }
                out.addLast(e);
                if (out.size() > n) {
                    out.removeFirst();
                }
            }
        }
        return new ArrayList<>(out);
    }
}
