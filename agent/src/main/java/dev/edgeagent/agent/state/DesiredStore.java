package dev.edgeagent.agent.state;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The newest desired state this device accepted ({@code state/desired.json}), kept before it is applied so that a
 * crash mid-way resumes it and an older version can never replace it.
 */
public final class DesiredStore {
    /** What was accepted, and whether applying it has finished. */
    public record Accepted(long version, String target, byte[] document, boolean applied) {}

    private final Path file;

    public DesiredStore(Path stateDir) {
        this.file = stateDir.resolve("desired.json");
    }

    public Optional<Accepted> load() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> m = Json.object(Files.readAllBytes(file));
            return Optional.of(new Accepted(((Number) m.get("version")).longValue(), (String) m.get("target"),
                    ((String) m.get("document")).getBytes(StandardCharsets.UTF_8), Boolean.TRUE.equals(m.get("applied"))));
        } catch (IOException | RuntimeException e) {
            throw new IOException("desired state " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    public void save(Accepted a) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", a.version());
        m.put("target", a.target());
        m.put("applied", a.applied());
        m.put("document", new String(a.document(), StandardCharsets.UTF_8));
        AtomicFiles.write(file, Json.pretty(m));
    }
}
