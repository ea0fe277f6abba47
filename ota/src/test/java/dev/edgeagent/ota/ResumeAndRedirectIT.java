package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.registry.Credentials;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.FaultyProxy;
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

/** A connection cut mid-blob, and blobs served from elsewhere by redirect, in front of a real registry. */
class ResumeAndRedirectIT {
    private static final long CUT_AFTER = 300_000;

    @TempDir
    static Path shared;
    static Registry registry;
    static ImageRef demo;

    @TempDir
    Path store;

    @BeforeAll
    static void start() throws Exception {
        registry = Registry.start(Files.createDirectories(shared.resolve("registry")));
        demo = ImageRef.parse(registry.pushDemoImage(shared.resolve("image"), "demo"));
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private PulledImage pullVia(FaultyProxy proxy, Map<String, Credentials> creds, RetryPolicy retries) throws Exception {
        TransportSettings settings = new TransportSettings(Set.of(proxy.host()), Optional.empty(), creds, retries, Duration.ofSeconds(30));
        return new ImagePuller(RegistryClient.create(settings), new BlobStore(store))
                .pull(ImageRef.parse(proxy.host() + "/demo@" + demo.requireDigest()), Platform.parse("linux/amd64"), PullProgress.NONE);
    }

    private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50));

    @Test
    void aCutDownloadResumesWithoutFetchingVerifiedBytesAgain() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(registry, 1, CUT_AFTER, false)) {
            PulledImage image = pullVia(proxy, Map.of(), QUICK);
            long blobBytes = image.manifest().totalBlobBytes();
            String resume = proxy.rangesAsked().stream().filter(r -> r.startsWith("bytes=")).findFirst()
                    .orElseThrow(() -> new AssertionError("no range request: " + proxy.rangesAsked()));
            long resumedFrom = Long.parseLong(resume.substring(6, resume.length() - 1));
            // The cut may lose bytes still in flight; the client asks exactly from what it received and hashed.
            assertTrue(resumedFrom > 0 && resumedFrom <= CUT_AFTER, resume);
            long lostInFlight = CUT_AFTER - resumedFrom;
            assertEquals(blobBytes, proxy.blobBytesSent() - lostInFlight, "no byte the client had was sent again");
            Descriptor layer = image.manifest().layers().get(0);
            assertTrue(layer.size() > CUT_AFTER, "the cut happened inside the layer");
            assertTrue(Files.exists(store.resolve("blobs/sha256/" + layer.digest().hex())));
            assertFalse(Files.exists(store.resolve("ingest/" + layer.digest().hex() + ".part")));
        }
    }

    @Test
    void aDownloadThatKeepsBreakingIsReportedAndItsBytesAreKeptForLater() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(registry, 100, CUT_AFTER, false)) {
            OtaException e = assertThrows(OtaException.class, () -> pullVia(proxy, Map.of(), QUICK));
            assertEquals(ErrorCode.REGISTRY_UNREACHABLE, e.code());
            assertTrue(e.getMessage().contains("kept for a resume"), e.getMessage());
        }
        // The registry is healthy again: the next pull asks only for what is missing.
        try (FaultyProxy healthy = new FaultyProxy(registry, 0, 0, false)) {
            PulledImage image = pullVia(healthy, Map.of(), QUICK);
            assertTrue(healthy.blobBytesSent() < image.manifest().totalBlobBytes(), "the kept bytes were not fetched again");
            assertTrue(healthy.rangesAsked().stream().anyMatch(r -> r.startsWith("bytes=")), healthy.rangesAsked().toString());
        }
    }

    @Test
    void concurrentPullsOfOneImageShareEachDownload() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(registry, 0, 0, false)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<PulledImage>> pulls = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    pulls.add(pool.submit(() -> pullVia(proxy, Map.of(), QUICK)));
                }
                long total = 0;
                for (var f : pulls) {
                    total = f.get().manifest().totalBlobBytes();
                }
                assertEquals(total, proxy.blobBytesSent(), "four pulls, one download per blob");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void redirectedBlobsNeverReceiveTheRegistryCredentials() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(registry, 0, 0, true).requireBasicAuth()) {
            PulledImage image = pullVia(proxy, Map.of(proxy.host(), new Credentials("edge", "s3cret")), QUICK);
            assertEquals(demo.requireDigest(), image.manifestDigest());
            assertFalse(proxy.storageAuthorizations().isEmpty(), "blobs came from storage");
            assertTrue(proxy.storageAuthorizations().stream().allMatch(String::isEmpty), proxy.storageAuthorizations().toString());
        }
    }
}
