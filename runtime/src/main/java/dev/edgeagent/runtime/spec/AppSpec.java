package dev.edgeagent.runtime.spec;

import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.security.seccomp.SeccompProfile;
import dev.edgeagent.security.userns.IdRange;
import java.util.List;
import java.util.Objects;

/** Everything the spec builder needs to know about one app generation; the image config already folded in. */
public record AppSpec(String containerId, String hostname, List<String> args, List<String> env, String cwd,
        long uid, long gid, IdRange ids, ResourceLimits limits, SeccompProfile seccomp) {
    public AppSpec {
        Objects.requireNonNull(containerId, "containerId");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("an app needs a command: the image has no Entrypoint or Cmd");
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("working directory must be absolute, got '" + cwd + "'");
        }
        if (uid < 0 || uid >= ids.size() || gid < 0 || gid >= ids.size()) {
            throw new IllegalArgumentException("process user " + uid + ":" + gid + " is outside the app's id range");
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
    }
}
