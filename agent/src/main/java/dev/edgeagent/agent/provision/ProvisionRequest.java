package dev.edgeagent.agent.provision;

import dev.edgeagent.protocol.DeviceId;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What {@code edgeagent provision} was asked to write, checked as far as the arguments alone allow. */
public record ProvisionRequest(DeviceId deviceId, URI broker, Path ca, Path cert, Path key, Path trust, String profile,
        List<String> groups, List<String> insecureRegistries, Path config, boolean force) {
    public static final Path DEFAULT_CONFIG = Path.of("/etc/edgeagent/config.json");
    public static final String DEFAULT_PROFILE = "generic-x86_64";

    public ProvisionRequest {
        groups = List.copyOf(groups);
        insecureRegistries = List.copyOf(insecureRegistries);
        for (String r : insecureRegistries) {
            if (!r.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new ProvisionException(ProvisionException.USAGE, "--insecure-registry must be HOST or HOST:PORT, got " + r);
            }
        }
        if (!"ssl".equals(broker.getScheme()) || broker.getHost() == null || broker.getPort() < 1) {
            throw new ProvisionException(ProvisionException.USAGE, "--broker must be ssl://HOST:PORT, got " + broker);
        }
        for (String g : groups) {
            if (!g.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new ProvisionException(ProvisionException.USAGE, "--group '" + g + "' must be 1-63 lowercase letters, digits and '-'");
            }
        }
    }

    /** Parses the arguments after {@code provision}; every problem is one sentence (exit 2). */
    public static ProvisionRequest parse(List<String> args) {
        String device = null;
        String broker = null;
        Path ca = null;
        Path cert = null;
        Path key = null;
        Path trust = null;
        String profile = DEFAULT_PROFILE;
        List<String> groups = new ArrayList<>();
        List<String> insecure = new ArrayList<>();
        Path config = DEFAULT_CONFIG;
        boolean force = false;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--force")) {
                force = true;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new ProvisionException(ProvisionException.USAGE, option.startsWith("--") ? option + " needs a value"
                        : "unexpected argument '" + option + "'");
            }
            String value = args.get(++i);
            switch (option) {
                case "--device-id" -> device = value;
                case "--broker" -> broker = value;
                case "--ca" -> ca = Path.of(value).toAbsolutePath();
                case "--cert" -> cert = Path.of(value).toAbsolutePath();
                case "--key" -> key = Path.of(value).toAbsolutePath();
                case "--trust" -> trust = Path.of(value).toAbsolutePath();
                case "--profile" -> profile = value;
                case "--group" -> groups.add(value);
                case "--insecure-registry" -> insecure.add(value);
                case "--config" -> config = Path.of(value).toAbsolutePath();
                default -> throw new ProvisionException(ProvisionException.USAGE, "unknown option " + option);
            }
        }
        List<String> missing = new ArrayList<>();
        if (device == null) missing.add("--device-id");
        if (broker == null) missing.add("--broker");
        if (ca == null) missing.add("--ca");
        if (cert == null) missing.add("--cert");
        if (key == null) missing.add("--key");
        if (trust == null) missing.add("--trust");
        if (!missing.isEmpty()) {
            throw new ProvisionException(ProvisionException.USAGE, "missing " + String.join(", ", missing));
        }
        DeviceId id;
        URI uri;
        try {
            id = new DeviceId(device);
        } catch (IllegalArgumentException e) {
            throw new ProvisionException(ProvisionException.USAGE, "--device-id: " + e.getMessage());
        }
        try {
            uri = new URI(broker);
        } catch (java.net.URISyntaxException e) {
            throw new ProvisionException(ProvisionException.USAGE, "--broker must be ssl://HOST:PORT, got " + broker);
        }
        return new ProvisionRequest(id, uri, ca, cert, key, trust, profile, groups, insecure, config, force);
    }

    /** The directory the configuration and its copies of the files live in. */
    public Path directory() {
        return Optional.ofNullable(config.getParent()).orElse(Path.of("/"));
    }
}
