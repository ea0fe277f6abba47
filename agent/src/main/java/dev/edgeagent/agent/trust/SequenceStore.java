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
import java.util.Set;
import java.util.TreeMap;

/**
 * The highest sequence number each operator key has used ({@code trust/sequences.json}), with the order that used
 * it. A changing order must carry a number higher than the mark of every key that signed it, and moves all their
 * marks: stripping a signature or adding one cannot reopen a number. A number is taken again only by the very
 * order that took it while that order has not finished: the broker redelivers an order the agent died in the middle
 * of, and it must be carried out (at least once, never lost). Once it finished, the order log answers redeliveries
 * it still remembers, and after it has forgotten the order, this record keeps it from running again.
 */
public final class SequenceStore {
    private record Last(long sequence, String order, boolean finished) {}

    private final Path file;
    private final Map<String, Last> last = new TreeMap<>();

    public SequenceStore(Path trustDir) throws IOException {
        this.file = trustDir.resolve("sequences.json");
        if (Files.exists(file)) {
            try {
                for (Map.Entry<String, Object> e : Json.object(Files.readAllBytes(file)).entrySet()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> v = (Map<String, Object>) e.getValue();
                    // a record from before "finished" was kept counts as finished: never run twice
                    last.put(e.getKey(), new Last(((Number) v.get("sequence")).longValue(), (String) v.get("order"),
                            !Boolean.FALSE.equals(v.get("finished"))));
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException("sequence record " + file + " is unreadable: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Records {@code sequence} for every key in {@code signers} (the valid signers of the order), on disk before
     * the order runs, or refuses it as a replay when it does not exceed each one's mark.
     */
    public synchronized void admit(Set<KeyId> signers, long sequence, OperationId order) throws TrustFailure {
        if (signers.isEmpty()) {
            throw new IllegalArgumentException("an admitted order has at least one signer");
        }
        boolean interrupted = signers.stream().map(k -> last.get(k.value()))
                .allMatch(l -> l != null && l.sequence == sequence && l.order.equals(order.value()) && !l.finished);
        if (interrupted) {
            return; // the order a crash interrupted, delivered again: it is carried out, as it was never answered
        }
        for (KeyId key : signers) {
            Last l = last.get(key.value());
            if (l != null && sequence <= l.sequence) {
                throw new TrustFailure(ErrorCode.REPLAYED, "order " + order + " carries sequence " + sequence + " of key "
                        + key.shortForm() + ", which has already used " + l.sequence + " (order " + l.order
                        + "); a recorded order cannot be played again");
            }
        }
        Map<String, Last> before = new TreeMap<>(last);
        signers.forEach(key -> last.put(key.value(), new Last(sequence, order.value(), false)));
        try {
            save();
        } catch (IOException e) {
            last.clear();
            last.putAll(before);
            throw new TrustFailure(ErrorCode.STORAGE_ERROR, "could not record sequence " + sequence + ": " + e.getMessage());
        }
    }

    /**
     * Marks {@code order} finished (its reply is recorded): from now on its sequence number is never admitted again,
     * not even for a redelivery of the same order.
     */
    public synchronized void finished(OperationId order) throws IOException {
        boolean changed = false;
        for (Map.Entry<String, Last> e : last.entrySet()) {
            Last l = e.getValue();
            if (l.order.equals(order.value()) && !l.finished) {
                e.setValue(new Last(l.sequence, l.order, true));
                changed = true;
            }
        }
        if (changed) {
            save();
        }
    }

    private void save() throws IOException {
        Map<String, Object> out = new TreeMap<>();
        last.forEach((k, v) -> out.put(k, Map.of("sequence", v.sequence, "order", v.order, "finished", v.finished)));
        AtomicFiles.write(file, Json.pretty(out));
    }

    /** The mark of {@code key}: the highest sequence it has used, or 0 when it has signed nothing here. */
    public synchronized long mark(KeyId key) {
        Last l = last.get(key.value());
        return l == null ? 0 : l.sequence;
    }
}
