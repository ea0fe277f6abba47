package dev.edgeagent.protocol;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an app asks beyond the hardened default; each item must be granted by the device profile. {@code seccomp}
 * is the app's own profile in the OCI/Docker JSON format, kept as sent and read against the device by the agent.
 * {@code healthGraceSeconds}: how long a new generation must stay up before it replaces the old one for good;
 * {@code healthProbe}, when given, must also pass within that time. {@code network}: none, host or bridge
 * (see {@link AppNetwork}).
 */
public record AppOptions(Set<String> capabilities, List<String> devices, AppNetwork network, List<VolumeMount> volumes,
        Optional<Map<String, Object>> seccomp, int healthGraceSeconds, Optional<HealthProbe> healthProbe,
        UpdateStrategy strategy) {
    public static final AppOptions NONE = new AppOptions(Set.of(), List.of(), AppNetwork.NONE, List.of(), Optional.empty(), 0, Optional.empty(),
            UpdateStrategy.STOP_THEN_START);
    public static final int MAX_HEALTH_GRACE_SECONDS = 600;
    private static final Pattern CAP = Pattern.compile("CAP_[A-Z_]{2,32}");
    private static final Pattern DEVICE = Pattern.compile("/dev/[A-Za-z0-9._/-]{1,200}");

    public AppOptions {
        java.util.Objects.requireNonNull(network, "network");
        for (String c : capabilities) {
            if (!CAP.matcher(c).matches()) {
                throw new IllegalArgumentException("capability '" + c + "' must look like CAP_NET_BIND_SERVICE");
            }
        }
        for (String d : devices) {
            if (!DEVICE.matcher(d).matches() || d.contains("..")) {
                throw new IllegalArgumentException("device '" + d + "' must be a path under /dev/");
            }
        }
        if (volumes.stream().map(VolumeMount::name).distinct().count() != volumes.size()) {
            throw new IllegalArgumentException("volume names must be distinct");
        }
        capabilities = Set.copyOf(capabilities);
        devices = List.copyOf(devices);
        volumes = List.copyOf(volumes);
        seccomp = seccomp.map(java.util.Collections::unmodifiableMap);
        if (healthGraceSeconds < 0 || healthGraceSeconds > MAX_HEALTH_GRACE_SECONDS) {
            throw new IllegalArgumentException("health.graceSeconds must be 0.." + MAX_HEALTH_GRACE_SECONDS);
        }
        if (healthProbe.isPresent() && healthGraceSeconds == 0) {
            throw new IllegalArgumentException("health.probe needs health.graceSeconds: the time the probe has to pass");
        }
        if (healthProbe.filter(p -> !(p instanceof HealthProbe.Exec)).isPresent() && !network.isHost()) {
            throw new IllegalArgumentException("TCP and HTTP probes reach the app on the host's loopback, so they need \"network\": \"host\"; "
                    + "use an exec probe otherwise");
        }
    }

    /** Whether the app is on the host's own network (a profile grant). */
    public boolean hostNetwork() {
        return network.isHost();
    }
}
