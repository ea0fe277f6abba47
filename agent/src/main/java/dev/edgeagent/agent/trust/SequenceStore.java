package dev.edgeagent.agent.trust;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The highest sequence number each operator key has used ({@code trust/sequences.json}), with the order that used
 * it. A changing order must carry a higher number than the last one; the same number is taken again only for the
 * same order, which is the broker delivering it a second time after a crash.
 */
public final class SequenceStore {
    private record Last(long sequence, String order) {}

    private final Path file;
    private final Map<String, Last> last = new TreeMap<>();

    public SequenceStore(Path trustDir) throws IOException {
        this.file = trustDir.resolve("sequences.json");
        if (Files.exists(file)) {
            try {
                for (Map.Entry<String, Object> e : Json.object(Files.readAllBytes(file)).entrySet()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> v = (Map<String, Object>) e.getValue();
                    last.put(e.getKey(), new Last(((Number) v.get("sequence")).longValue(), (String) v.get("order")));
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException("sequence record " + file + " is unreadable: " + e.getMessage(), e);
            }
        }
    }

    /** Records {@code sequence} for {@code key}, on disk before the order runs, or refuses it as a replay. */
    public synchronized void admit(KeyId key, long sequence, OperationId order) throws TrustFailure {
        Last l = last.get(key.value());
        if (l != null) {
            if (sequence == l.sequence && order.value().equals(l.order)) {
                return;
            }
            if (sequence <= l.sequence) {
                throw new TrustFailure(ErrorCode.REPLAYED, "order " + order + " carries sequence " + sequence + " of key "
                        + key.shortForm() + ", which has already used " + l.sequence + " (order " + l.order + "); a recorded order cannot be played again");
            }
        }
        last.put(key.value(), new Last(sequence, order.value()));
        Map<String, Object> out = new TreeMap<>();
        last.forEach((k, v) -> out.put(k, Map.of("sequence", v.sequence, "order", v.order)));
        try {
            AtomicFiles.write(file, Json.pretty(out));
        } catch (IOException e) {
            if (l == null) {
                last.remove(key.value());
            } else {
                last.put(key.value(), l);
            }
            throw new TrustFailure(ErrorCode.STORAGE_ERROR, "could not record sequence " + sequence + ": " + e.getMessage());
        }
    }
}
