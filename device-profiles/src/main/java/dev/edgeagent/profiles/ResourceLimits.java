package dev.edgeagent.profiles;

/** Limits that are always set on a container: there is no "unlimited". CPU in thousandths of a core. */
public record ResourceLimits(long memoryBytes, long pids, long cpuMillis) {
    public static final long MIN_MEMORY = 4L * 1024 * 1024;
    public static final long MIN_CPU_MILLIS = 10;

    public ResourceLimits {
        if (memoryBytes < MIN_MEMORY) {
            throw new IllegalArgumentException("memoryBytes must be at least " + MIN_MEMORY + ", got " + memoryBytes);
        }
        if (pids < 1) {
            throw new IllegalArgumentException("pids must be at least 1, got " + pids);
        }
        if (cpuMillis < MIN_CPU_MILLIS) {
            throw new IllegalArgumentException("cpus must be at least 0.01, got " + cpuMillis / 1000.0);
        }
    }
}
