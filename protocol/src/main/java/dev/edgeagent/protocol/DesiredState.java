package dev.edgeagent.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole set of apps a device (or a group) should run, versioned: a device applies a version only when it is
 * newer than the one it has, so an old retained message or a replay cannot roll it back. Optionally, the agent
 * release it should run ({@code agent}: the same as an {@code update-agent} order, docs/self-update.md).
 */
public record DesiredState(long version, String target, List<DeployOrder> apps, Optional<AgentRelease> agent) {
    /** An agent release named by digest, with the version it must be. */
    public record AgentRelease(ImageRef artifact, AgentVersion version) {
        public AgentRelease {
            Objects.requireNonNull(version, "version");
            if (artifact.digest().isEmpty()) {
                throw new IllegalArgumentException("agent.artifact " + artifact + " must be pinned by digest (REPO@sha256:…)");
            }
        }
    }

    /** Apps only; the agent stays as it is. */
    public DesiredState(long version, String target, List<DeployOrder> apps) {
        this(version, target, apps, Optional.empty());
    }

    public DesiredState {
        Objects.requireNonNull(agent, "agent");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
        apps = List.copyOf(apps);
        if (apps.stream().map(DeployOrder::app).distinct().count() != apps.size()) {
            throw new IllegalArgumentException("each app may appear once");
        }
    }
}
