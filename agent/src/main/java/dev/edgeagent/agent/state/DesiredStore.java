package dev.edgeagent.agent.state;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The newest desired state this device accepted ({@code state/desired.json}), kept before it is applied so that a
 * crash mid-way resumes it; with how applying it ended, so a restart leaves a finished one alone; and with the
 * high-water marks an older document is measured against.
 */
public final class DesiredStore {
    /** What was accepted, signed when ({@code issuedAt}, for a signed document), and how applying it ended. */
    public record Accepted(long version, String target, byte[] document, Optional<Instant> issuedAt, DesiredEnding ending,
            List<Map<String, Object>> failures) {
        public Accepted {
            failures = List.copyOf(failures);
        }

        public Accepted ended(DesiredEnding how, List<Map<String, Object>> why) {
            return new Accepted(version, target, document, issuedAt, how, why);
        }
    }

    /** The accepted document and the marks, as saved together. */
    public record Saved(Accepted current, DesiredHighWater highWater) {}

    private final Path file;

    public DesiredStore(Path stateDir) {
        this.file = stateDir.resolve("desired.json");
    }

    @SuppressWarnings("unchecked")
    public Optional<Saved> load() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> m = Json.object(Files.readAllBytes(file));
            long version = ((Number) m.get("version")).longValue();
            String target = (String) m.get("target");
            // Files from before the ending was kept carry only "applied": unfinished ones are resumed as before.
            DesiredEnding ending = m.get("ending") instanceof String e ? DesiredEnding.valueOf(e)
                    : Boolean.TRUE.equals(m.get("applied")) ? DesiredEnding.APPLIED : DesiredEnding.IN_PROGRESS;
            Optional<Instant> issuedAt = Optional.ofNullable((String) m.get("issuedAt")).map(Instant::parse);
            List<Map<String, Object>> failures = (List<Map<String, Object>>) m.getOrDefault("failures", List.of());
            Accepted current = new Accepted(version, target, ((String) m.get("document")).getBytes(StandardCharsets.UTF_8), issuedAt,
                    ending, failures);
            DesiredHighWater marks = DesiredHighWater.NONE.accept(target, version, issuedAt);
            if (m.get("highWater") instanceof Map<?, ?> hw) {
                Map<String, Long> versions = new LinkedHashMap<>();
                ((Map<String, Object>) hw.get("versions")).forEach((t, v) -> versions.put(t, ((Number) v).longValue()));
                marks = new DesiredHighWater(versions, Optional.ofNullable((String) hw.get("issuedAt")).map(Instant::parse))
                        .accept(target, version, issuedAt);
            }
            return Optional.of(new Saved(current, marks));
        } catch (IOException | RuntimeException e) {
            throw new IOException("desired state " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    public void save(Saved s) throws IOException {
        Accepted a = s.current();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", a.version());
        m.put("target", a.target());
        a.issuedAt().ifPresent(i -> m.put("issuedAt", i.toString()));
        m.put("ending", a.ending().name());
        if (!a.failures().isEmpty()) {
            m.put("failures", a.failures());
        }
        Map<String, Object> hw = new LinkedHashMap<>();
        hw.put("versions", new java.util.TreeMap<>(s.highWater().versions()));
        s.highWater().issuedAt().ifPresent(i -> hw.put("issuedAt", i.toString()));
        m.put("highWater", hw);
        m.put("document", new String(a.document(), StandardCharsets.UTF_8));
        AtomicFiles.write(file, Json.pretty(m));
    }
}
