package dev.edgeagent.agent.state;

import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.security.Digest;
import dev.edgeagent.security.ImageRef;
import dev.edgeagent.security.userns.IdRange;
import java.time.Instant;
import java.util.Objects;

/** One deployed app as the agent remembers it across restarts: which generation runs, from which image. */
public record AppRecord(AppName name, ImageRef image, Digest manifestDigest, long generation, ContainerId container,
        IdRange ids, ResourceLimits limits, AppPhase phase, Instant since) {
    public AppRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1");
        }
    }

    public AppRecord withPhase(AppPhase newPhase, Instant at) {
        return new AppRecord(name, image, manifestDigest, generation, container, ids, limits, newPhase, at);
    }
}
