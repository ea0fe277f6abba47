package dev.edgeagent.runtime.spec;

import dev.edgeagent.profiles.DeviceGrant;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.security.seccomp.SeccompProfile;
import dev.edgeagent.security.userns.IdRange;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything the spec builder needs to know about one app generation: the image config folded in, and the grants
 * its device profile admitted (capabilities, devices, host network, volumes), empty by default.
 */
public record AppSpec(String containerId, String hostname, List<String> args, List<String> env, String cwd,
        long uid, long gid, IdRange ids, ResourceLimits limits, SeccompProfile seccomp, List<String> capabilities,
        List<DeviceGrant> devices, boolean hostNetwork, List<BindMount> volumes) {
    public AppSpec {
        Objects.requireNonNull(containerId, "containerId");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("an app needs a command: the image has no Entrypoint or Cmd");
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("working directory must be absolute, got '" + cwd + "'");
        }
        if (isUnderProc(cwd)) {
            // CVE-2024-21626: a cwd such as /proc/self/fd/7 lets the process start in a directory runc leaked.
            throw new IllegalArgumentException("working directory '" + cwd + "' is under /proc, which an app may not start in");
        }
        if (uid < 0 || uid >= ids.size() || gid < 0 || gid >= ids.size()) {
            throw new IllegalArgumentException("process user " + uid + ":" + gid + " is outside the app's id range");
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
        capabilities = List.copyOf(new TreeSet<>(capabilities));
        devices = List.copyOf(devices);
        volumes = List.copyOf(volumes);
    }

    /** Whether a path, once "." and ".." are resolved as the kernel would (no symlinks followed), lies in /proc. */
    static boolean isUnderProc(String path) {
        String normal = java.nio.file.Path.of("/").resolve(path).normalize().toString();
        return normal.equals("/proc") || normal.startsWith("/proc/");
    }

    /** An app with no grants: the hardened default and nothing more. */
    public AppSpec(String containerId, String hostname, List<String> args, List<String> env, String cwd, long uid, long gid,
            IdRange ids, ResourceLimits limits, SeccompProfile seccomp) {
        this(containerId, hostname, args, env, cwd, uid, gid, ids, limits, seccomp, List.of(), List.of(), false, List.of());
    }
}
