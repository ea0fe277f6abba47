package dev.edgeagent.profiles;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a device class may hand to an app beyond the hardened default: capabilities, devices, the host's network,
 * extra syscalls, writable volumes, an app's own seccomp profile, bridge networks (see {@link NetworkGrant}). Nothing is granted unless listed here.
 */
public record Grants(Set<String> capabilities, List<DeviceGrant> devices, boolean hostNetwork, Set<String> extraSyscalls,
        boolean volumes, boolean customSeccomp, NetworkGrant network) {
    public static final Grants NONE = new Grants(Set.of(), List.of(), false, Set.of(), false, false, NetworkGrant.NONE);

    public Grants {
        capabilities.forEach(c -> Capabilities.require(c, "grants.capabilities"));
        capabilities = Set.copyOf(capabilities);
        devices = List.copyOf(devices);
        extraSyscalls = Set.copyOf(extraSyscalls);
    }

    public Optional<DeviceGrant> device(String path) {
        return devices.stream().filter(d -> d.path().equals(path)).findFirst();
    }
}
