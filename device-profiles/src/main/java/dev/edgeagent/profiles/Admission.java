package dev.edgeagent.profiles;

import java.util.List;
import java.util.Set;

/** What an app was admitted with: its limits and exactly the grants it asked for and its profile allows. */
public record Admission(ResourceLimits limits, Set<String> capabilities, List<DeviceGrant> devices, boolean hostNetwork,
        List<String> volumes, Set<String> extraSyscalls, long storageBytes) {
    public Admission {
        capabilities = Set.copyOf(capabilities);
        devices = List.copyOf(devices);
        volumes = List.copyOf(volumes);
        extraSyscalls = Set.copyOf(extraSyscalls);
    }
}
