package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.RegistryUpload;
import dev.edgeagent.testkit.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** edgeagent pull against a real registry: a tag comes back pinned; a hostile layer is refused, leaving nothing. */
class PullCommandIT {
    @TempDir
    static Path shared;
    static Registry registry;
    static String demoTag;

    @TempDir
    Path root;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        registry = Registry.start(Files.createDirectories(shared.resolve("registry")));
        String pinned = registry.pushDemoImage(shared.resolve("image"), "demo");
        demoTag = pinned.substring(0, pinned.indexOf('@')) + ":demo";
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private AgentConfig config() {
        return AgentConfig.of(new DeviceId("pull-check"), URI.create("tcp://127.0.0.1:1"), root, Path.of("/usr/sbin/runc"),
                root.resolve("runc"), Set.of(registry.host()));
    }

    private int pull(String ref, Optional<Path> target) {
        return pull(config(), ref, target);
    }

    private int pull(AgentConfig config, String ref, Optional<Path> target) {
        return PullCheck.run(config, ImageRef.parse(ref), Platform.parse("linux/amd64"), target,
                new PrintStream(out, true), new PrintStream(err, true));
    }

    private Path root() {
        return root;
    }

    @Test
    void aTagComesBackPinnedAndTheScratchTreeIsGone() throws Exception {
        assertEquals(0, pull(demoTag, Optional.empty()), err.toString());
        ImageRef pinned = ImageRef.parse(out.toString().strip());
        assertTrue(pinned.digest().isPresent(), out.toString());
        assertTrue(err.toString().contains("none unsafe"), err.toString());
        try (Stream<Path> apps = Files.list(root.resolve("apps"))) {
            assertEquals(List.of(), apps.toList());
        }
        Path kept = root.resolve("kept");
        assertEquals(0, pull(demoTag, Optional.of(kept)), err.toString());
        assertTrue(Files.isRegularFile(kept.resolve("bin/busybox")));
    }

    @Test
    void aHostileLayerIsRefusedAndNothingIsKept() throws Exception {
        TarBuilder hostile = new TarBuilder().file("etc/ok", "fine").special("dev/mem", TarConstants.LF_CHR);
        byte[] gz = gzip(hostile.tarBytes());
        Digest d = new RegistryUpload(registry.host()).pushImage("hostile", "1", List.of(
                new RegistryUpload.Layer("application/vnd.oci.image.layer.v1.tar+gzip", gz, Digest.sha256Of(hostile.tarBytes()))));
        Path target = root.resolve("target");
        assertEquals(1, pull(registry.host() + "/hostile@" + d, Optional.of(target)));
        assertTrue(err.toString().contains("refused [UNSAFE_LAYER]") && err.toString().contains("device node"), err.toString());
        assertFalse(Files.exists(target), "a refused unpack leaves no rootfs");
    }

    @Test
    void withATrustDocumentAnUnsignedImageIsRefusedAsADeployRefusesIt() throws Exception {
        SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey operator = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey builder = SigningKey.generate(KeyKind.ED25519);
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(root, operator, builder)) {
            keys.put(k.id(), k.publicKey());
        }
        TrustDocument doc = new TrustDocument(1, Instant.now(), keys, new Role(Set.of(root.id()), 1), new Role(Set.of(operator.id()), 1),
                List.of(new ImageRule(registry.host() + "/*", Optional.of(new Role(Set.of(builder.id()), 1)))));
        Path trustFile = Files.createDirectories(root().resolve("etc")).resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, doc.toJson(), List.of(root)).toJson());
        AgentConfig signed = config().withTrust(new AgentConfig.Trust(Optional.of(trustFile), false));

        String unsigned = registry.pushDemoImage(shared.resolve("image-unsigned"), "pull-unsigned", "unsigned-build");
        assertEquals(1, pull(signed, unsigned, Optional.empty()), err.toString());
        assertTrue(err.toString().contains("refused [IMAGE_NOT_TRUSTED]"), err.toString());

        String good = registry.pushDemoImage(shared.resolve("image-signed"), "pull-signed", "signed-build");
        new CosignPublisher(RegistryClient.create(TransportSettings.insecure(Set.of(registry.host())))).sign(ImageRef.parse(good), builder);
        err.reset();
        assertEquals(0, pull(signed, good, Optional.empty()), err.toString());
    }

    @Test
    void theProfilesStorageCeilingLimitsTheUnpack() throws Exception {
        // 32 MiB of zeros, a few KiB compressed, against a profile whose storage ceiling is 4 MiB.
        TarBuilder zeros = new TarBuilder().file("zeros", new byte[32 << 20], 0, 0644);
        Digest d = new RegistryUpload(registry.host()).pushImage("zeros", "1", List.of(
                new RegistryUpload.Layer("application/vnd.oci.image.layer.v1.tar+gzip", gzip(zeros.tarBytes()),
                        Digest.sha256Of(zeros.tarBytes()))));
        String profile = new String(getClass().getResourceAsStream("/dev/edgeagent/profiles/generic-x86_64.json").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8).replace("\"storageBytes\": 17179869184", "\"storageBytes\": 4194304");
        Path profileFile = Files.createDirectories(root().resolve("etc")).resolve("small.json");
        Files.writeString(profileFile, profile);
        AgentConfig c = config();
        AgentConfig small = new AgentConfig(c.deviceId(), c.broker(), c.root(), c.runtimeBinary(), c.runtimeStateRoot(),
                profileFile.toString(), c.insecureRegistries(), c.registryCaBundle(), c.registryCredentials(), c.maxOrderBytes(),
                c.logMaxBytes(), c.logKeep(), c.mqttTls(), c.groups(), c.localSocket(), c.diskReserveBytes(), c.trust(),
                c.statusIntervalSeconds());
        Path target = root.resolve("zeros-rootfs");
        assertEquals(1, pull(small, registry.host() + "/zeros@" + d, Optional.of(target)), err.toString());
        assertTrue(err.toString().contains("refused [UNSAFE_LAYER]") && err.toString().contains("limit of 4194304"), err.toString());
        assertFalse(Files.exists(target), "a refused unpack leaves no rootfs");
    }

    @Test
    void aSymlinkPlantedAtTheTargetIsNeverWrittenThrough() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Path target = root.resolve("planted");
        Files.createSymbolicLink(target, elsewhere); // made after the command line's check, before the unpack
        assertEquals(1, pull(demoTag, Optional.of(target)), err.toString());
        assertTrue(err.toString().contains("already exists"), err.toString());
        try (Stream<Path> written = Files.list(elsewhere)) {
            assertEquals(List.of(), written.toList(), "nothing is written through the symlink");
        }
        assertTrue(Files.isSymbolicLink(target), "what was there is left alone");
    }

    private static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(b)) {
            gz.write(raw);
        }
        return b.toByteArray();
    }
}
