package dev.edgeagent.agent.state;

import dev.edgeagent.runtime.supervise.ExitStatus;
import java.time.Instant;
import java.util.Objects;

/** The last time an app's container ended, and how. */
public record ExitRecord(ExitStatus status, Instant at) {
    public ExitRecord {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
    }
}
