package dev.edgeagent.runtime.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a container's cgroup lives (v2 unified, or the v1 controllers of a hybrid or legacy host) and what it
 * says: usage, limits, and whether the OOM killer has struck.
 */
public final class CgroupFiles {
    private final Path root;
    private final boolean unified;

    public CgroupFiles(Path root) {
        this.root = root;
        this.unified = Files.exists(root.resolve("cgroup.controllers"));
    }

    public static CgroupFiles host() {
        return new CgroupFiles(Path.of("/sys/fs/cgroup"));
    }

    public boolean isUnified() {
        return unified;
    }

    /** Reads usage of the cgroup at {@code cgroupPath} (as in the spec's linux.cgroupsPath); empty when gone. */
    public Optional<CgroupStats> stats(String cgroupPath) {
        String rel = cgroupPath.replaceFirst("^/+", "");
        try {
            if (unified) {
                Path dir = root.resolve(rel);
                if (!Files.isDirectory(dir)) {
                    return Optional.empty();
                }
                return Optional.of(new CgroupStats(num(dir.resolve("memory.current")), limit(dir.resolve("memory.max")),
                        keyed(dir.resolve("cpu.stat"), "usage_usec") * 1000, num(dir.resolve("pids.current")),
                        keyed(dir.resolve("memory.events"), "oom_kill")));
            }
            Path memory = root.resolve("memory").resolve(rel);
            if (!Files.isDirectory(memory)) {
                return Optional.empty();
            }
            return Optional.of(new CgroupStats(num(memory.resolve("memory.usage_in_bytes")),
                    limit(memory.resolve("memory.limit_in_bytes")), num(root.resolve("cpuacct").resolve(rel).resolve("cpuacct.usage")),
                    num(root.resolve("pids").resolve(rel).resolve("pids.current")), keyed(memory.resolve("memory.oom_control"), "oom_kill")));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long num(Path file) throws IOException {
        return Files.exists(file) ? Long.parseLong(dev.edgeagent.security.fs.KernelFiles.read(file).strip()) : 0;
    }

    private static long limit(Path file) throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        String v = dev.edgeagent.security.fs.KernelFiles.read(file).strip();
        return v.equals("max") ? -1 : Long.parseLong(v);
    }

    /** The value of {@code key} in a "key value" per line file (cpu.stat, memory.events, memory.oom_control). */
    static long keyed(Path file, String key) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        for (String line : dev.edgeagent.security.fs.KernelFiles.lines(file)) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                return Long.parseLong(kv[1]);
            }
        }
        return 0;
    }
}
