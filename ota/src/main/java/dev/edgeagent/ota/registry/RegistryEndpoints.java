package dev.edgeagent.ota.registry;

import dev.edgeagent.security.ImageRef;
import java.net.URI;
import java.util.Set;

/**
 * Where a registry host is reached. HTTPS always, except for hosts the device's config lists as insecure
 * (a lab registry on loopback, say): plain HTTP is a deliberate choice, never a fallback.
 */
public record RegistryEndpoints(Set<String> insecureRegistries) {
    public RegistryEndpoints {
        insecureRegistries = Set.copyOf(insecureRegistries);
    }

    public URI base(String registry) {
        String scheme = insecureRegistries.contains(registry) ? "http" : "https";
        return URI.create(scheme + "://" + registry + "/v2/");
    }

    public URI manifest(ImageRef ref, String reference) {
        return base(ref.registry()).resolve(ref.repository() + "/manifests/" + reference);
    }

    public URI blob(ImageRef ref, String digest) {
        return base(ref.registry()).resolve(ref.repository() + "/blobs/" + digest);
    }
}
