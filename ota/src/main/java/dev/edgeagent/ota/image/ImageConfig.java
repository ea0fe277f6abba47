package dev.edgeagent.ota.image;

import dev.edgeagent.protocol.Digest;
import java.util.List;
import java.util.Optional;

/** What an image says about how to run it, and the digests of its uncompressed layers. */
public record ImageConfig(String os, String architecture, Optional<String> variant, List<String> entrypoint,
        List<String> cmd, List<String> env, Optional<String> workingDir, Optional<String> user, List<Digest> diffIds) {
    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        diffIds = List.copyOf(diffIds);
    }

    /** Entrypoint followed by cmd, as a container runtime runs them. */
    public List<String> processArgs() {
        return java.util.stream.Stream.concat(entrypoint.stream(), cmd.stream()).toList();
    }
}
