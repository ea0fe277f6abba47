package dev.edgeagent.runtime.spec;

import java.nio.file.Path;

/** A host directory (an app's own volume) bound into the container, never with setuid or device files honoured. */
public record BindMount(Path source, String destination, boolean readOnly) {
    public BindMount {
        if (!source.isAbsolute() || !destination.startsWith("/")) {
            throw new IllegalArgumentException("bind mount paths must be absolute");
        }
    }
}
