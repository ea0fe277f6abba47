package dev.edgeagent.edgectl;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.Credentials;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RegistryTransport;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.AgentVersion;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.SigningKey;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code edgectl release-agent REPO:TAG --jar edgeagent.jar --version V --key AGENT.key}: pushes an agent release
 * (docs/self-update.md: an OCI artifact whose config names the version and whose one layer is the jar) and signs it,
 * cosign style, with the trust document's agent role key. Prints the reference pinned by digest that
 * {@code update-agent --artifact} takes.
 */
final class AgentReleaseCommands {
    static final String ARTIFACT_TYPE = "application/vnd.edgeagent.agent.v1";
    static final String CONFIG_MEDIA_TYPE = "application/vnd.edgeagent.agent.config.v1+json";
    static final String JAR_MEDIA_TYPE = "application/vnd.edgeagent.agent.jar.v1";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** Where the agent's jar says its own version. */
    static final String VERSION_ENTRY = "dev/edgeagent/agent/version";

    private AgentReleaseCommands() {}

    static int release(String ref, Args a, PrintStream out, PrintStream err) throws Args.UsageError {
        ImageRef target = ImageRef.parse(ref);
        if (target.digest().isPresent() || target.tag().isEmpty()) {
            throw new Args.UsageError("release-agent pushes to a tag: REPO:TAG (the digest is printed once pushed)");
        }
        Path jarFile = Path.of(a.require("--jar"));
        AgentVersion version;
        try {
            version = AgentVersion.parse(a.require("--version"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError(e.getMessage());
        }
        byte[] jar;
        try {
            jar = Files.readAllBytes(jarFile);
            String marker = jarVersion(jarFile);
            if (!marker.equals(version.toString())) {
                throw new Args.UsageError(jarFile + " is agent " + marker + " (its " + VERSION_ENTRY + "), not the --version " + version);
            }
        } catch (IOException e) {
            throw new Args.UsageError("cannot read the agent jar " + jarFile + ": " + e.getMessage());
        }
        SigningKey key = OperatorKey.read(Path.of(a.require("--key")), OperatorKey.password(a));
        try {
            RegistryClient registry = RegistryClient.create(settings(target, a));
            Digest manifest = push(registry.transport(), target, version, jar);
            ImageRef pinned = ImageRef.parse(dev.edgeagent.ota.sign.CosignVerifier.repositoryOf(target) + "@" + manifest);
            CosignPublisher.Published p = new CosignPublisher(registry).sign(pinned, key);
            out.println("agent " + version + " released as " + pinned);
            out.println("  signed with key " + key.id().shortForm() + "; signature at " + p.repository() + ":" + p.tag());
            out.println("  send it: edgectl update-agent --device ID --artifact " + pinned + " --version " + version);
            return Main.OK;
        } catch (OtaException e) {
            err.println("edgectl: release-agent failed [" + e.code() + "]: " + e.getMessage());
            return e.code() == ErrorCode.REGISTRY_UNREACHABLE ? Main.UNREACHABLE : Main.FAILED;
        }
    }

    /** The version the jar itself carries. */
    static String jarVersion(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            ZipEntry e = z.getEntry(VERSION_ENTRY);
            if (e == null) {
                throw new IOException("it has no " + VERSION_ENTRY + ": not an agent jar");
            }
            return new String(z.getInputStream(e).readNBytes(64), StandardCharsets.US_ASCII).strip();
        }
    }

    static TransportSettings settings(ImageRef image, Args a) throws Args.UsageError {
        Set<String> insecure = a.flag("--insecure") ? Set.of(image.registry()) : Set.of();
        Map<String, Credentials> creds = Map.of();
        Optional<String> user = a.get("--username").or(() -> Optional.ofNullable(System.getenv("EDGE_REGISTRY_USER")));
        if (user.isPresent()) {
            String password = Optional.ofNullable(System.getenv("EDGE_REGISTRY_PASSWORD"))
                    .orElseThrow(() -> new Args.UsageError("a registry user name needs $EDGE_REGISTRY_PASSWORD"));
            creds = Map.of(image.registry(), new Credentials(user.get(), password));
        }
        return new TransportSettings(insecure, a.get("--ca").map(Path::of), creds, RetryPolicy.DEFAULT, Duration.ofSeconds(60));
    }

    /** Config blob, jar blob, then the manifest at the tag; returns the manifest's digest. */
    static Digest push(RegistryTransport http, ImageRef target, AgentVersion version, byte[] jar) throws OtaException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("version", version.toString());
        config.put("minJava", 17);
        byte[] configBytes = Json.compact(config);
        dev.edgeagent.ota.sign.CosignPublisher.uploadBlob(http, target, configBytes);
        dev.edgeagent.ota.sign.CosignPublisher.uploadBlob(http, target, jar);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("artifactType", ARTIFACT_TYPE);
        manifest.put("config", descriptor(CONFIG_MEDIA_TYPE, configBytes));
        manifest.put("layers", List.of(descriptor(JAR_MEDIA_TYPE, jar)));
        manifest.put("annotations", Map.of("org.opencontainers.image.version", version.toString()));
        byte[] bytes = Json.compact(manifest);
        URI uri = http.base(target.registry()).resolve(target.repository() + "/manifests/" + target.tag().orElseThrow());
        HttpResponse<String> r = http.upload(target.registry(), "PUT", uri, Map.of("Content-Type", OCI_MANIFEST), bytes);
        if (r.statusCode() != 201) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + target.registry() + " refused the release manifest: HTTP "
                    + r.statusCode() + " " + r.body());
        }
        return Digest.sha256Of(bytes);
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] blob) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", Digest.sha256Of(blob).toString());
        d.put("size", blob.length);
        return d;
    }
}
