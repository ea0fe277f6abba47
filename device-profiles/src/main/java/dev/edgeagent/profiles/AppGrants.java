package dev.edgeagent.profiles;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a running app was granted beyond the hardened default, as its record keeps it: enough for a later profile to
 * judge it again without the order it came with ({@link DeviceProfile#violations}).
 */
public record AppGrants(Set<String> capabilities, List<String> devices, boolean hostNetwork, List<String> volumes,
        boolean customSeccomp, Set<String> extraSyscalls, boolean bridge, List<Integer> hostPorts, List<String> egress) {
    public static final AppGrants NONE = new AppGrants(Set.of(), List.of(), false, List.of(), false, Set.of(), false, List.of(), List.of());

    public AppGrants {
        capabilities = Set.copyOf(capabilities);
        devices = List.copyOf(devices);
        volumes = List.copyOf(volumes);
        extraSyscalls = Set.copyOf(extraSyscalls);
        hostPorts = List.copyOf(hostPorts);
        egress = List.copyOf(egress);
    }

    /** As status and the state file show it: only what was granted, sorted, so equal grants read the same. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("capabilities", new ArrayList<>(new TreeSet<>(capabilities)));
        m.put("devices", devices);
        m.put("hostNetwork", hostNetwork);
        m.put("volumes", volumes);
        m.put("customSeccomp", customSeccomp);
        m.put("extraSyscalls", new ArrayList<>(new TreeSet<>(extraSyscalls)));
        m.put("bridge", bridge);
        m.put("hostPorts", hostPorts);
        m.put("egress", egress);
        return m;
    }

    /** Reads what {@link #toMap()} wrote; a missing field is the default (nothing granted). */
    @SuppressWarnings("unchecked")
    public static AppGrants fromMap(Map<String, Object> m) {
        return new AppGrants(Set.copyOf((List<String>) m.getOrDefault("capabilities", List.of())),
                (List<String>) m.getOrDefault("devices", List.of()), Boolean.TRUE.equals(m.get("hostNetwork")),
                (List<String>) m.getOrDefault("volumes", List.of()), Boolean.TRUE.equals(m.get("customSeccomp")),
                Set.copyOf((List<String>) m.getOrDefault("extraSyscalls", List.of())), Boolean.TRUE.equals(m.get("bridge")),
                ((List<Number>) m.getOrDefault("hostPorts", List.of())).stream().map(Number::intValue).toList(),
                (List<String>) m.getOrDefault("egress", List.of()));
    }
}
