package dev.edgeagent.profiles;

/** Limits that are always set on a container: there is no "unlimited". */
public record ResourceLimits(long memoryBytes, long pids) {
    public static final long MIN_MEMORY = 4L * 1024 * 1024;

    public ResourceLimits {
        if (memoryBytes < MIN_MEMORY) {
            throw new IllegalArgumentException("memoryBytes must be at least " + MIN_MEMORY + ", got " + memoryBytes);
        }
        if (pids < 1) {
            throw new IllegalArgumentException("pids must be at least 1, got " + pids);
        }
    }
}
