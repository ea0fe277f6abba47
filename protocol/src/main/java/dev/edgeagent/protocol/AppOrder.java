package dev.edgeagent.protocol;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An order other than deploy: its id, and the app it names when the command acts on one (start, stop, restart,
 * remove, inspect, logs). {@code tail} is for logs; {@code purge} for remove (its volumes go too).
 */
public record AppOrder(OperationId id, Optional<AppName> app, OptionalInt tail, boolean purge) {
    public static final int MAX_TAIL = 10_000;

    public AppOrder {
        Objects.requireNonNull(id, "id");
        tail.ifPresent(t -> {
            if (t < 1 || t > MAX_TAIL) {
                throw new IllegalArgumentException("tail must be 1.." + MAX_TAIL + ", got " + t);
            }
        });
    }

    public AppName requireApp() {
        return app.orElseThrow(() -> new IllegalArgumentException("'app' is missing"));
    }
}
