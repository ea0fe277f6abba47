package dev.edgeagent.agent.state;

import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.userns.IdRange;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One deployed app as the agent remembers it across restarts: which generation runs, from which image, under
 * which limits and restart policy, and how its container last ended.
 */
public record AppRecord(AppName name, ImageRef image, Digest manifestDigest, long generation, ContainerId container,
        IdRange ids, ResourceLimits limits, RestartMode restart, Digest request, AppPhase phase, Instant since, int restarts,
        int consecutiveFailures, Optional<ExitRecord> lastExit) {
    public AppRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(lastExit, "lastExit");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1");
        }
        if (restarts < 0 || consecutiveFailures < 0) {
            throw new IllegalArgumentException("restart counts must not be negative");
        }
    }

    /** A freshly deployed generation, running now. */
    public static AppRecord deployed(AppName name, ImageRef image, Digest manifestDigest, long generation, ContainerId container,
            IdRange ids, ResourceLimits limits, RestartMode restart, Digest request, Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, AppPhase.RUNNING, at,
                0, 0, Optional.empty());
    }

    public AppRecord withPhase(AppPhase newPhase, Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, newPhase, at, restarts,
                consecutiveFailures, lastExit);
    }

    public AppRecord exited(ExitRecord exit, AppPhase newPhase, int consecutive) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, newPhase, exit.at(), restarts,
                consecutive, Optional.of(exit));
    }

    /** Started again by an operator: running, with the failure count cleared. */
    public AppRecord operatorStarted(Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, AppPhase.RUNNING, at,
                restarts, 0, lastExit);
    }

    public AppRecord restarted(Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, AppPhase.RUNNING, at,
                restarts + 1, consecutiveFailures, lastExit);
    }
}
