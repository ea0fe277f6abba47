package dev.edgeagent.agent.state;

import dev.edgeagent.protocol.OperationId;
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
 * The replies to the last orders that changed something, by order id, kept on disk ({@code state/orders.json}) so
 * that an order delivered twice — by the broker after a reconnect, or again after an agent restart — is answered
 * from here and not done twice.
 */
public final class OrderLog {
    public static final int KEEP = 512;

    private final Path file;
    private final LinkedHashMap<String, String> replies = new LinkedHashMap<>();

    public OrderLog(Path stateDir) throws IOException {
        this.file = stateDir.resolve("orders.json");
        if (Files.exists(file)) {
            try {
                Object entries = Json.object(Files.readAllBytes(file)).get("replies");
                if (entries instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> replies.put(String.valueOf(k), String.valueOf(v)));
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException("order log " + file + " is unreadable: " + e.getMessage(), e);
            }
        }
    }

    public synchronized Optional<byte[]> reply(OperationId id) {
        return Optional.ofNullable(replies.get(id.value())).map(r -> r.getBytes(StandardCharsets.UTF_8));
    }

    /** Records the reply to an order that was carried out; the oldest records go past {@link #KEEP}. */
    public synchronized void record(OperationId id, byte[] reply) throws IOException {
        replies.remove(id.value());
        replies.put(id.value(), new String(reply, StandardCharsets.UTF_8));
        while (replies.size() > KEEP) {
            replies.remove(replies.keySet().iterator().next());
        }
        AtomicFiles.write(file, Json.compact(Map.of("version", 1, "replies", replies)));
    }
}
