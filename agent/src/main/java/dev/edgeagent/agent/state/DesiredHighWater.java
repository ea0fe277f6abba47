package dev.edgeagent.agent.state;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The newest desired state ever accepted, per target (device or group), and the newest signing time across all
 * targets. An older document is refused even when it names another target than the current one, so a replayed
 * document that is still within its validity cannot bring back old images.
 *
 * @param versions the highest version accepted per target
 * @param issuedAt the latest signing time of any accepted signed document
 */
public record DesiredHighWater(Map<String, Long> versions, Optional<Instant> issuedAt) {
    public static final DesiredHighWater NONE = new DesiredHighWater(Map.of(), Optional.empty());

    public DesiredHighWater {
        versions = Map.copyOf(versions);
    }

    /** What a document for {@code target} at {@code version}, signed at {@code issued}, is measured against. */
    public enum Verdict {
        NEWER,
        /** The version last accepted from that target: a retained copy delivered again at a reconnect. */
        SAME_VERSION,
        OLDER_VERSION,
        ISSUED_EARLIER
    }

    public Verdict judge(String target, long version, Optional<Instant> issued) {
        Long mark = versions.get(target);
        if (mark != null && version < mark) {
            return Verdict.OLDER_VERSION;
        }
        if (mark != null && version == mark) {
            return Verdict.SAME_VERSION;
        }
        if (issued.isPresent() && issuedAt.isPresent() && issued.get().isBefore(issuedAt.get())) {
            return Verdict.ISSUED_EARLIER;
        }
        return Verdict.NEWER;
    }

    /** The marks once a document was accepted. */
    public DesiredHighWater accept(String target, long version, Optional<Instant> issued) {
        Map<String, Long> next = new HashMap<>(versions);
        next.merge(target, version, Math::max);
        Optional<Instant> newest = issued.isEmpty() ? issuedAt
                : Optional.of(issuedAt.filter(i -> i.isAfter(issued.get())).orElse(issued.get()));
        return new DesiredHighWater(next, newest);
    }
}
