package dev.edgeagent.ota.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** How the agent reaches registries: which hosts speak plain HTTP, which CA bundle to trust, which credentials. */
public record TransportSettings(Set<String> insecureRegistries, Optional<Path> caBundle, Map<String, Credentials> credentials,
        RetryPolicy retries, Duration timeout) {
    public TransportSettings {
        insecureRegistries = Set.copyOf(insecureRegistries);
        credentials = Map.copyOf(credentials);
    }

    public static TransportSettings insecure(Set<String> hosts) {
        return new TransportSettings(hosts, Optional.empty(), Map.of(), RetryPolicy.DEFAULT, Duration.ofSeconds(60));
    }
}
