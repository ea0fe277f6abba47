package dev.edgeagent.agent;

import dev.edgeagent.ota.registry.Credentials;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The agent's configuration file, validated as it is read: every error names the field. */
public record AgentConfig(DeviceId deviceId, URI broker, Path root, Optional<Path> runtimeBinary, Path runtimeStateRoot,
        String profile, Set<String> insecureRegistries, Optional<Path> registryCaBundle,
        Map<String, Credentials> registryCredentials, int maxOrderBytes, long logMaxBytes, int logKeep, Optional<MqttTls> mqttTls, List<String> groups, Path localSocket, long diskReserveBytes, Trust trust, int statusIntervalSeconds,
        int agentUpdateGraceSeconds) {
    /** The broker's CA and, for mutual TLS, the device's certificate and key, all PEM files. */
    public record MqttTls(Path ca, Optional<Path> cert, Optional<Path> key) {
        public MqttTls {
            if (cert.isPresent() != key.isPresent()) {
                throw new IllegalArgumentException("mqttTls needs both cert and key for mutual TLS, or neither");
            }
        }
    }

    /**
     * The trust document a device is provisioned with ({@code edgectl trust init}); without one the agent starts
     * only when {@code allowUnsigned} says, in so many words, that this is a lab device taking unsigned orders and images.
     */
    public record Trust(Optional<Path> document, boolean allowUnsigned) {
        public static final Trust LAB = new Trust(Optional.empty(), true);

        public Trust {
            if (document.isPresent() && allowUnsigned) {
                throw new IllegalArgumentException("trust.document and trust.allowUnsigned exclude each other");
            }
            if (document.isEmpty() && !allowUnsigned) {
                throw new IllegalArgumentException("trust.document is missing: give the file made by 'edgectl trust init' "
                        + "(or, for a lab device only, \"trust\": {\"allowUnsigned\": true})");
            }
        }
    }

    public static final Path DEFAULT_ROOT = Path.of("/var/lib/edgeagent");
    public static final Path DEFAULT_RUNTIME_STATE = Path.of("/run/edgeagent/runc");
    public static final List<String> FIELDS = List.of("deviceId", "broker", "root", "runtime", "runtimeStateRoot",
            "profile", "insecureRegistries", "registryCaBundle", "registryCredentials", "maxOrderBytes", "logMaxBytes", "logKeep", "mqttTls", "groups", "localSocket", "diskReserveBytes", "trust", "statusIntervalSeconds",
            "agentUpdateGraceSeconds");
    public static final long DEFAULT_DISK_RESERVE = 64L << 20;
    public static final Path DEFAULT_LOCAL_SOCKET = Path.of("/run/edgeagent/edgeagent.sock");
    public static final long DEFAULT_LOG_MAX_BYTES = 10L << 20;
    public static final int DEFAULT_LOG_KEEP = 3;
    public static final int DEFAULT_STATUS_INTERVAL = 5;
    /** How long a new agent release has to connect and publish its status before the previous one comes back. */
    public static final int DEFAULT_AGENT_UPDATE_GRACE = 120;

    /** A configuration with the default agent-update grace period. */
    public AgentConfig(DeviceId deviceId, URI broker, Path root, Optional<Path> runtimeBinary, Path runtimeStateRoot,
            String profile, Set<String> insecureRegistries, Optional<Path> registryCaBundle,
            Map<String, Credentials> registryCredentials, int maxOrderBytes, long logMaxBytes, int logKeep, Optional<MqttTls> mqttTls,
            List<String> groups, Path localSocket, long diskReserveBytes, Trust trust, int statusIntervalSeconds) {
        this(deviceId, broker, root, runtimeBinary, runtimeStateRoot, profile, insecureRegistries, registryCaBundle, registryCredentials,
                maxOrderBytes, logMaxBytes, logKeep, mqttTls, groups, localSocket, diskReserveBytes, trust, statusIntervalSeconds,
                DEFAULT_AGENT_UPDATE_GRACE);
    }

    public AgentConfig {
        String scheme = broker.getScheme();
        if (!"tcp".equals(scheme) && !"ssl".equals(scheme)) {
            throw new IllegalArgumentException("broker must be tcp://host:port or ssl://host:port, got " + broker);
        }
        if (!root.isAbsolute() || !runtimeStateRoot.isAbsolute()) {
            throw new IllegalArgumentException("root and runtimeStateRoot must be absolute paths");
        }
        if (maxOrderBytes < 1024) {
            throw new IllegalArgumentException("maxOrderBytes must be at least 1024");
        }
        if (logMaxBytes < 1024 || logKeep < 1) {
            throw new IllegalArgumentException("logMaxBytes must be at least 1024 and logKeep at least 1");
        }
        insecureRegistries = Set.copyOf(insecureRegistries);
        registryCredentials = Map.copyOf(registryCredentials);
        groups = List.copyOf(groups);
        if (diskReserveBytes < 0) {
            throw new IllegalArgumentException("diskReserveBytes must not be negative");
        }
        for (String g : groups) {
            if (!g.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("group '" + g + "' must be 1-63 lowercase letters, digits and '-'");
            }
        }
        if (statusIntervalSeconds < 1 || statusIntervalSeconds > 3600) {
            throw new IllegalArgumentException("statusIntervalSeconds must be 1 to 3600, got " + statusIntervalSeconds);
        }
        if (agentUpdateGraceSeconds < 1 || agentUpdateGraceSeconds > 3600) {
            throw new IllegalArgumentException("agentUpdateGraceSeconds must be 1 to 3600, got " + agentUpdateGraceSeconds);
        }
        if (mqttTls.isPresent() && !"ssl".equals(scheme)) {
            throw new IllegalArgumentException("mqttTls is set but the broker is not ssl://");
        }
    }

    /** A configuration with the defaults for everything but the essentials (tests and tools). */
    public static AgentConfig of(DeviceId deviceId, URI broker, Path root, Path runtimeBinary, Path runtimeStateRoot,
            Set<String> insecureRegistries) {
        return new AgentConfig(deviceId, broker, root, Optional.of(runtimeBinary), runtimeStateRoot, "generic-x86_64", insecureRegistries,
                Optional.empty(), Map.of(), 65536, DEFAULT_LOG_MAX_BYTES, DEFAULT_LOG_KEEP, Optional.empty(),
                List.of(), runtimeStateRoot.resolveSibling("edgeagent.sock"), DEFAULT_DISK_RESERVE, Trust.LAB, DEFAULT_STATUS_INTERVAL);
    }

    public TransportSettings registryTransport() {
        return new TransportSettings(insecureRegistries, registryCaBundle, registryCredentials, RetryPolicy.DEFAULT,
                Duration.ofSeconds(60));
    }

    /** The same configuration under another trust setting. */
    public AgentConfig withTrust(Trust t) {
        return new AgentConfig(deviceId, broker, root, runtimeBinary, runtimeStateRoot, profile, insecureRegistries, registryCaBundle,
                registryCredentials, maxOrderBytes, logMaxBytes, logKeep, mqttTls, groups, localSocket, diskReserveBytes, t, statusIntervalSeconds,
                agentUpdateGraceSeconds);
    }

    /** The same configuration following other groups. */
    public AgentConfig withGroups(List<String> g) {
        return new AgentConfig(deviceId, broker, root, runtimeBinary, runtimeStateRoot, profile, insecureRegistries, registryCaBundle,
                registryCredentials, maxOrderBytes, logMaxBytes, logKeep, mqttTls, g, localSocket, diskReserveBytes, trust, statusIntervalSeconds,
                agentUpdateGraceSeconds);
    }

    private static Trust trust(Optional<Fields> section) throws Fields.WireException {
        if (section.isEmpty()) {
            return new Trust(Optional.empty(), false);
        }
        Fields t = section.get();
        t.refuseUnknown(List.of("document", "allowUnsigned"));
        return new Trust(t.optionalString("document").map(Path::of), t.optionalBoolean("allowUnsigned"));
    }

    private static Optional<MqttTls> mqttTls(Optional<Fields> section) throws Fields.WireException {
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Fields t = section.get();
        t.refuseUnknown(List.of("ca", "cert", "key"));
        return Optional.of(new MqttTls(Path.of(t.requireString("ca")), t.optionalString("cert").map(Path::of),
                t.optionalString("key").map(Path::of)));
    }

    /** {@code {"host:port": {"username": "…", "password": "…"}}}. */
    private static Map<String, Credentials> credentials(Optional<Fields> section) throws Fields.WireException {
        Map<String, Credentials> out = new LinkedHashMap<>();
        if (section.isEmpty()) {
            return out;
        }
        for (String host : section.get().keys()) {
            Fields entry = section.get().optionalObject(host).orElseThrow();
            entry.refuseUnknown(List.of("username", "password"));
            out.put(host, new Credentials(entry.requireString("username"), entry.requireString("password")));
        }
        return out;
    }

    public static AgentConfig load(Path file) throws IOException {
        Map<String, Object> map;
        try {
            map = Json.object(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException("config " + file + ": " + e.getMessage(), e);
        }
        try {
            Fields f = new Fields(map, "");
            f.refuseUnknown(FIELDS);
            return new AgentConfig(
                    new DeviceId(f.requireString("deviceId")),
                    URI.create(f.requireString("broker")),
                    Path.of(f.optionalString("root").orElse(DEFAULT_ROOT.toString())),
                    f.optionalString("runtime").map(Path::of),
                    Path.of(f.optionalString("runtimeStateRoot").orElse(DEFAULT_RUNTIME_STATE.toString())),
                    f.optionalString("profile").orElse("generic-x86_64"),
                    Set.copyOf(f.optionalStrings("insecureRegistries").orElse(List.of())),
                    f.optionalString("registryCaBundle").map(Path::of),
                    credentials(f.optionalObject("registryCredentials")),
                    (int) f.optionalLong("maxOrderBytes").orElse(65536),
                    f.optionalLong("logMaxBytes").orElse(DEFAULT_LOG_MAX_BYTES),
                    (int) f.optionalLong("logKeep").orElse(DEFAULT_LOG_KEEP),
                    mqttTls(f.optionalObject("mqttTls")),
                    f.optionalStrings("groups").orElse(List.of()),
                    Path.of(f.optionalString("localSocket").orElse(DEFAULT_LOCAL_SOCKET.toString())),
                    f.optionalLong("diskReserveBytes").orElse(DEFAULT_DISK_RESERVE),
                    trust(f.optionalObject("trust")),
                    (int) f.optionalLong("statusIntervalSeconds").orElse(DEFAULT_STATUS_INTERVAL),
                    (int) f.optionalLong("agentUpdateGraceSeconds").orElse(DEFAULT_AGENT_UPDATE_GRACE));
        } catch (Fields.WireException | IllegalArgumentException e) {
            throw new IOException("config " + file + ": " + e.getMessage(), e);
        }
    }
}
