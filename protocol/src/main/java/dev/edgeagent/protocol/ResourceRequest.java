package dev.edgeagent.protocol;

import java.util.OptionalLong;

/** What an order asks for; an empty value means "the device profile's default". CPU in thousandths of a core. */
public record ResourceRequest(OptionalLong memoryBytes, OptionalLong pids, OptionalLong cpuMillis) {
    public static final ResourceRequest DEFAULTS = new ResourceRequest(OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty());

    public ResourceRequest(OptionalLong memoryBytes, OptionalLong pids) {
        this(memoryBytes, pids, OptionalLong.empty());
    }

    public ResourceRequest {
        memoryBytes.ifPresent(m -> {
            if (m < 4L * 1024 * 1024) {
                throw new IllegalArgumentException("memory must be at least 4 MiB, got " + m + " bytes");
            }
        });
        pids.ifPresent(p -> {
            if (p < 1) {
                throw new IllegalArgumentException("pids must be at least 1, got " + p);
            }
        });
        cpuMillis.ifPresent(c -> {
            if (c < 10) {
                throw new IllegalArgumentException("cpus must be at least 0.01, got " + c / 1000.0);
            }
        });
    }
}
