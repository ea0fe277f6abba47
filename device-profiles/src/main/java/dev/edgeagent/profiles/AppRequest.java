package dev.edgeagent.profiles;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** What an app asks of its device: resources, and anything beyond the hardened default. */
public record AppRequest(OptionalLong memoryBytes, OptionalLong pids, OptionalLong cpuMillis, Set<String> capabilities,
        List<String> devices, boolean hostNetwork, List<String> volumes, boolean customSeccomp) {
    public static final AppRequest DEFAULTS = new AppRequest(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
            Set.of(), List.of(), false, List.of(), false);

    public AppRequest {
        capabilities = Set.copyOf(capabilities);
        devices = List.copyOf(devices);
        volumes = List.copyOf(volumes);
    }
}
