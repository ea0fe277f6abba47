package dev.edgeagent.runtime.supervise;

/** A container's resource use as its cgroup reports it; {@code memoryLimitBytes} is -1 for "no limit". */
public record CgroupStats(long memoryBytes, long memoryLimitBytes, long cpuNanos, long pids, long oomKills) {}
