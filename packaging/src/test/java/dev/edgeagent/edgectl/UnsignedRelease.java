package dev.edgeagent.edgectl;

import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.protocol.AgentVersion;
import dev.edgeagent.protocol.ImageRef;
import java.util.Set;

/** An agent release pushed exactly as {@code edgectl release-agent} pushes one, but never signed (for refusal tests). */
public final class UnsignedRelease {
    private UnsignedRelease() {}

    public static String push(String registryHost, String repoAndTag, String version, byte[] jar) throws Exception {
        ImageRef target = ImageRef.parse(registryHost + "/" + repoAndTag);
        RegistryClient registry = RegistryClient.create(TransportSettings.insecure(Set.of(registryHost)));
        return dev.edgeagent.ota.sign.CosignVerifier.repositoryOf(target) + "@"
                + AgentReleaseCommands.push(registry.transport(), target, AgentVersion.parse(version), jar);
    }
}
