package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.OciLayouts;
import dev.edgeagent.testkit.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real docker-registry serving HTTPS with a private CA. */
class RegistryTlsIT {
    @TempDir
    static Path shared;
    static Registry registry;
    static ImageRef demo;

    @TempDir
    Path store;

    @BeforeAll
    static void start() throws Exception {
        registry = Registry.startWithTls(Files.createDirectories(shared.resolve("registry")));
        Digest d = OciLayouts.push(Registry.buildDemoLayout(shared.resolve("image")), registry.host() + "/demo:1");
        demo = ImageRef.parse(registry.host() + "/demo@" + d);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private PulledImage pull(Optional<Path> ca) throws Exception {
        TransportSettings settings = new TransportSettings(Set.of(), ca, Map.of(), RetryPolicy.NONE, Duration.ofSeconds(30));
        return new ImagePuller(RegistryClient.create(settings), new BlobStore(store)).pull(demo, Platform.parse("linux/amd64"),
                PullProgress.NONE);
    }

    @Test
    void pullsOverHttpsTrustingTheConfiguredCa() throws Exception {
        assertEquals(demo.requireDigest(), pull(Optional.of(registry.tlsCertificate())).manifestDigest());
    }

    @Test
    void anUntrustedCertificateIsRefusedSayingWhatToConfigure() {
        OtaException e = assertThrows(OtaException.class, () -> pull(Optional.empty()));
        assertEquals(ErrorCode.REGISTRY_UNREACHABLE, e.code());
        assertTrue(e.getMessage().contains("registryCaBundle"), e.getMessage());
    }
}
