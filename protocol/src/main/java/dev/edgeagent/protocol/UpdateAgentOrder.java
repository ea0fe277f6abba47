package dev.edgeagent.protocol;

import java.util.Objects;

/** Install agent release {@code artifact} (pinned by digest), which must be {@code version}, and restart into it. */
public record UpdateAgentOrder(OperationId id, ImageRef artifact, AgentVersion version) {
    public UpdateAgentOrder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        if (artifact.digest().isEmpty()) {
            throw new IllegalArgumentException("artifact " + artifact + " must be pinned by digest (REPO@sha256:…)");
        }
    }
}
