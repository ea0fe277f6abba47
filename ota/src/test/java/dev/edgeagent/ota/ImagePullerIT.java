package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.LyingRegistry;
import dev.edgeagent.testkit.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls through a real docker-registry; wrong bytes come from a lying proxy in front of it. */
class ImagePullerIT {
    @TempDir
    static Path shared;
    static Registry registry;
    static ImageRef demo;

    @TempDir
    Path storeRoot;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = Registry.start(Files.createDirectories(shared.resolve("registry")));
        demo = ImageRef.parse(registry.pushDemoImage(shared.resolve("image"), "demo"));
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        registry.close();
    }

    private ImagePuller puller(String host, BlobStore store) throws OtaException {
        return new ImagePuller(RegistryClient.create(TransportSettings.insecure(Set.of(host))), store);
    }

    @Test
    void pullsEveryBlobVerifiedIntoTheStore() throws Exception {
        BlobStore store = new BlobStore(storeRoot);
        List<Descriptor> reported = new ArrayList<>();
        PulledImage image = puller(registry.host(), store).pull(demo, Platform.parse("linux/amd64"),
                (blob, done, total, bytesDone, bytesTotal) -> reported.add(blob));

        assertEquals(demo.requireDigest(), image.manifestDigest());
        assertEquals(List.of("/bin/sh", "/app/report"), image.config().processArgs());
        assertEquals(1 + image.manifest().layers().size(), reported.size());
        assertTrue(store.has(image.manifestDigest()));
        for (Descriptor d : reported) {
            assertEquals(d.digest(), Digest.sha256Of(Files.readAllBytes(store.path(d.digest()))));
        }
        assertNoPartialFiles();
    }

    @Test
    void aDigestTheRegistryDoesNotHaveIsNotFound() throws Exception {
        ImageRef missing = ImageRef.parse(registry.host() + "/demo@sha256:" + "0".repeat(64));
        OtaException e = assertThrows(OtaException.class,
                () -> puller(registry.host(), new BlobStore(storeRoot)).pull(missing, Platform.parse("linux/amd64"), PullProgress.NONE));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    @Test
    void aRegistryServingAWrongManifestIsRefused() throws Exception {
        try (LyingRegistry liar = new LyingRegistry(registry, path -> path.contains("/manifests/"))) {
            ImageRef viaLiar = ImageRef.parse(liar.host() + "/demo@" + demo.requireDigest());
            BlobStore store = new BlobStore(storeRoot);
            OtaException e = assertThrows(OtaException.class,
                    () -> puller(liar.host(), store).pull(viaLiar, Platform.parse("linux/amd64"), PullProgress.NONE));
            assertEquals(ErrorCode.DIGEST_MISMATCH, e.code());
            assertTrue(e.getMessage().contains(demo.requireDigest().toString()), e.getMessage());
            assertStoreEmpty();
        }
    }

    @Test
    void aRegistryServingAWrongLayerIsRefusedAndNothingOfItIsKept() throws Exception {
        BlobStore probe = new BlobStore(storeRoot.resolve("probe"));
        PulledImage good = puller(registry.host(), probe).pull(demo, Platform.parse("linux/amd64"), PullProgress.NONE);
        Digest layer = good.manifest().layers().get(0).digest();
        try (LyingRegistry liar = new LyingRegistry(registry, path -> path.endsWith("/blobs/" + layer))) {
            ImageRef viaLiar = ImageRef.parse(liar.host() + "/demo@" + demo.requireDigest());
            BlobStore store = new BlobStore(storeRoot.resolve("victim"));
            OtaException e = assertThrows(OtaException.class,
                    () -> puller(liar.host(), store).pull(viaLiar, Platform.parse("linux/amd64"), PullProgress.NONE));
            assertEquals(ErrorCode.DIGEST_MISMATCH, e.code());
            assertTrue(e.getMessage().contains(layer.toString()), e.getMessage());
            assertFalse(store.has(layer));
            try (Stream<Path> ingest = Files.list(storeRoot.resolve("victim/ingest"))) {
                assertEquals(0, ingest.filter(f -> f.toString().endsWith(".part")).count(), "no partial download is left");
            }
        }
    }

    @Test
    void anImageForAnotherPlatformIsRefused() throws Exception {
        OtaException e = assertThrows(OtaException.class,
                () -> puller(registry.host(), new BlobStore(storeRoot)).pull(demo, Platform.parse("linux/arm64"), PullProgress.NONE));
        assertEquals(ErrorCode.UNSUPPORTED_IMAGE, e.code());
        assertTrue(e.getMessage().contains("linux/arm64"), e.getMessage());
    }

    private void assertStoreEmpty() throws Exception {
        try (Stream<Path> blobs = Files.list(storeRoot.resolve("blobs/sha256"))) {
            assertEquals(0, blobs.count(), "nothing unverified is stored");
        }
        assertNoPartialFiles();
    }

    private void assertNoPartialFiles() throws Exception {
        try (Stream<Path> ingest = Files.list(storeRoot.resolve("ingest"))) {
            assertEquals(0, ingest.filter(f -> f.toString().endsWith(".part")).count(), "no partial download is left");
        }
    }
}
