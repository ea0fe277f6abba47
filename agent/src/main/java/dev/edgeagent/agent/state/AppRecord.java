package dev.edgeagent.agent.state;

import dev.edgeagent.profiles.AppGrants;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.userns.IdRange;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One deployed app as the agent remembers it across restarts: which generation runs, from which image, under
 * which limits and restart policy, how its container last ended, and which keys signed its image (checked at
 * deploy; empty where images are not checked, or for records written before signers were recorded), what it was
 * granted beyond the default (empty for records written before grants were recorded: judged on their limits alone),
 * and which limits its order set rather than the profile's defaults (empty for records written before that was recorded).
 */
public record AppRecord(AppName name, ImageRef image, Digest manifestDigest, long generation, ContainerId container,
        IdRange ids, ResourceLimits limits, RestartMode restart, Digest request, AppPhase phase, Instant since, int restarts,
        int consecutiveFailures, Optional<ExitRecord> lastExit, Set<KeyId> signers, Optional<AppGrants> grants,
        Optional<LimitOrigin> limitOrigin) {
    public AppRecord {
        Objects.requireNonNull(limitOrigin, "limitOrigin");
        signers = Set.copyOf(signers);
        Objects.requireNonNull(grants, "grants");
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
                0, 0, Optional.empty(), Set.of(), Optional.empty(), Optional.empty());
    }

    public AppRecord withPhase(AppPhase newPhase, Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, newPhase, at, restarts,
                consecutiveFailures, lastExit, signers, grants, limitOrigin);
    }

    public AppRecord exited(ExitRecord exit, AppPhase newPhase, int consecutive) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, newPhase, exit.at(), restarts,
                consecutive, Optional.of(exit), signers, grants, limitOrigin);
    }

    /** Started again by an operator: running, with the failure count cleared. */
    public AppRecord operatorStarted(Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, AppPhase.RUNNING, at,
                restarts, 0, lastExit, signers, grants, limitOrigin);
    }

    public AppRecord restarted(Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, AppPhase.RUNNING, at,
                restarts + 1, consecutiveFailures, lastExit, signers, grants, limitOrigin);
    }

    /** The same record, with what its profile granted it (judged again by every new policy). */
    public AppRecord granted(AppGrants g) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, phase, since, restarts,
                consecutiveFailures, lastExit, signers, Optional.of(g), limitOrigin);
    }

    /** The same record, with the keys whose signatures let its image in. */
    public AppRecord signedBy(Set<KeyId> keys) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, phase, since, restarts,
                consecutiveFailures, lastExit, keys, grants, limitOrigin);
    }

    /** The same record, saying which limits its order set. */
    public AppRecord limitsFrom(LimitOrigin origin) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, restart, request, phase, since, restarts,
                consecutiveFailures, lastExit, signers, grants, Optional.of(origin));
    }
}
