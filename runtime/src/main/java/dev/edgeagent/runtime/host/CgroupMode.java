package dev.edgeagent.runtime.host;

import java.nio.file.Files;
import java.nio.file.Path;

/** How the host mounts cgroups: v2 only, v1 with a v2 tree beside it (hybrid), or v1 only. */
public enum CgroupMode {
    UNIFIED, HYBRID, LEGACY;

    public static CgroupMode of(Path cgroupRoot) {
        if (Files.exists(cgroupRoot.resolve("cgroup.controllers"))) {
            return UNIFIED;
        }
        return Files.isDirectory(cgroupRoot.resolve("unified")) ? HYBRID : LEGACY;
    }

    public static CgroupMode host() {
        return of(Path.of("/sys/fs/cgroup"));
    }
}
