package dev.edgeagent.agent.selfupdate;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.registry.FetchedManifest;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.sign.CosignVerifier;
import dev.edgeagent.protocol.AgentVersion;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.AgentReleaseSignatures;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An agent release in a registry (docs/self-update.md): an OCI manifest whose config is
 * {@code {"version", "minJava"}} and whose one layer is the agent's jar. Fetched by its pinned digest, its cosign
 * signatures checked against the trust document's agent role before the config or the jar is fetched, every blob
 * checked against its digest as it streams.
 */
public final class AgentRelease {
    public static final String ARTIFACT_TYPE = "application/vnd.edgeagent.agent.v1";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.edgeagent.agent.config.v1+json";
    public static final String JAR_MEDIA_TYPE = "application/vnd.edgeagent.agent.jar.v1";
    static final int MAX_CONFIG_BYTES = 4096;
    /** A shaded agent jar is a few MiB; anything near this is not one. */
    static final long MAX_JAR_BYTES = 256L << 20;

    /** What was fetched and checked: the release's version, the signers, and the jar in the blob store. */
    public record Fetched(AgentVersion version, int minJava, Set<KeyId> signers, Path jar, Digest jarDigest) {}

    private AgentRelease() {}

    public static Fetched fetch(RegistryClient registry, BlobStore blobs, TrustDocument trust, ImageRef artifact) throws OtaException {
        Digest digest = artifact.requireDigest();
        FetchedManifest fetched = registry.manifest(artifact, digest);
        Descriptor config;
        Descriptor jar;
        try {
            Map<String, Object> m = Json.object(fetched.bytes());
            if (!ARTIFACT_TYPE.equals(m.get("artifactType")) && !(m.get("config") instanceof Map<?, ?> c
                    && CONFIG_MEDIA_TYPE.equals(c.get("mediaType")))) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, artifact + " is not an agent release (artifactType "
                        + m.get("artifactType") + ", expected " + ARTIFACT_TYPE + ")");
            }
            config = descriptor(m.get("config"));
            if (!(m.get("layers") instanceof List<?> layers) || layers.size() != 1) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "agent release " + artifact + " must have exactly one layer, the jar");
            }
            jar = descriptor(layers.get(0));
        } catch (IOException | RuntimeException e) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "agent release " + artifact + " has an unreadable manifest: " + e.getMessage());
        }
        if (!CONFIG_MEDIA_TYPE.equals(config.mediaType()) || !JAR_MEDIA_TYPE.equals(jar.mediaType())) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "agent release " + artifact + " must have a " + CONFIG_MEDIA_TYPE
                    + " config and one " + JAR_MEDIA_TYPE + " layer");
        }
        // The signature first: nothing else of an untrusted release is fetched.
        Set<KeyId> signers;
        String repository = CosignVerifier.repositoryOf(artifact);
        try {
            signers = AgentReleaseSignatures.verify(trust, new CosignVerifier(registry, () -> trust).fetch(artifact, digest), digest,
                    repository);
        } catch (TrustFailure e) {
            throw new OtaException(e.code(), e.getMessage());
        }
        AgentVersion version;
        int minJava;
        try {
            Map<String, Object> c = Json.object(registry.smallBlob(artifact, config, MAX_CONFIG_BYTES));
            version = AgentVersion.parse((String) c.get("version"));
            minJava = c.get("minJava") instanceof Number n ? n.intValue() : 17;
        } catch (IOException | RuntimeException e) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "agent release " + artifact + " has an unreadable config: " + e.getMessage());
        }
        if (jar.size() > MAX_JAR_BYTES) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "agent release " + artifact + " declares a jar of " + jar.size()
                    + " bytes, above " + MAX_JAR_BYTES);
        }
        registry.blob(artifact, jar, blobs);
        return new Fetched(version, minJava, signers, blobs.path(jar.digest()), jar.digest());
    }

    private static Descriptor descriptor(Object o) {
        if (!(o instanceof Map<?, ?> d)) {
            throw new IllegalArgumentException("a descriptor is not an object");
        }
        return new Descriptor((String) d.get("mediaType"), Digest.parse((String) d.get("digest")), ((Number) d.get("size")).longValue());
    }
}
