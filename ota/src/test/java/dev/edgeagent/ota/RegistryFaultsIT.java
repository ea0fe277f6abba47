package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.ChaosProxy;
import dev.edgeagent.testkit.ChaosProxy.Exchange;
import dev.edgeagent.testkit.ChaosProxy.Fault;
import dev.edgeagent.testkit.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real registry behind {@link ChaosProxy}, which cuts blob bodies at random bytes, stalls them, or flips a byte.
 * Pulls are retried into one store until one completes; every pull that fails names the right code, a resumed
 * request starts exactly where the bytes the client received end (no byte it had is fetched again), and a blob whose
 * bytes were wrong is thrown away whole and fetched again from its start, never stored. Rounds:
 * {@code -Dedgeagent.registryFaultRounds} (the suite runs 12; bench/registry-faults runs more).
 */
class RegistryFaultsIT {
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(1);
    private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50));

    @TempDir
    static Path shared;
    static Registry registry;
    static ImageRef demo;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        registry = Registry.start(Files.createDirectories(shared.resolve("registry")));
        demo = ImageRef.parse(registry.pushDemoImage(shared.resolve("image"), "demo"));
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void everyPullCompletesOrFailsWithItsCodeAndNoVerifiedByteIsFetchedTwice() throws Exception {
        int rounds = Integer.getInteger("edgeagent.registryFaultRounds", 12);
        long seed = Long.getLong("edgeagent.registryFaultSeed", System.nanoTime());
        Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
        Map<ErrorCode, Integer> failures = new EnumMap<>(ErrorCode.class);
        int pulls = 0;
        try (ChaosProxy proxy = new ChaosProxy(registry.port(), seed, 0.6)) {
            for (int round = 0; round < rounds; round++) {
                Path store = Files.createDirectories(work.resolve("store-" + round));
                proxy.clear();
                PulledImage image = null;
                for (int attempt = 1; image == null; attempt++) {
                    if (attempt == 8) {
                        proxy.heal(); // a registry that recovers: the round must then finish
                    }
                    int before = proxy.exchanges().size();
                    pulls++;
                    try {
                        image = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> pullVia(proxy, store),
                                "a pull must end, whatever the registry does (seed " + seed + ")");
                    } catch (Exception thrown) {
                        if (!(thrown instanceof OtaException e)) {
                            throw thrown;
                        }
                        failures.merge(e.code(), 1, Integer::sum);
                        List<Exchange> during = proxy.exchanges().subList(before, proxy.exchanges().size());
                        if (e.code() == ErrorCode.DIGEST_MISMATCH) {
                            // The flipped bytes may have come in an earlier attempt of this round: a pull cut short by
                            // another blob's fault keeps what it wrote, and this attempt resumes (or just hashes) it.
                            List<Exchange> thisRound = proxy.exchanges();
                            assertTrue(thisRound.stream().anyMatch(x -> x.fault() == Fault.CORRUPT),
                                    "a digest mismatch only where bytes were flipped: " + e.getMessage() + " " + thisRound);
                        } else {
                            assertEquals(ErrorCode.REGISTRY_UNREACHABLE, e.code(), e.getMessage());
                            assertTrue(during.stream().anyMatch(x -> x.fault() == Fault.CUT || x.fault() == Fault.STALL),
                                    "unreachable only where a body was cut or stalled: " + during);
                        }
                    }
                    if (attempt > 12) {
                        fail("round " + round + " did not finish (seed " + seed + "): " + proxy.exchanges());
                    }
                }
                assertEquals(demo.requireDigest(), image.manifestDigest());
                proxy.exchanges().forEach(x -> injected.merge(x.fault(), 1, Integer::sum));
                checkNoVerifiedByteFetchedTwice(proxy.exchanges(), seed);
                checkStoreHoldsOnlyVerifiedBlobs(store);
            }
        }
        System.out.printf("registry faults: %d rounds, %d pulls, faults injected %s, pulls failed %s, seed %d%n",
                rounds, pulls, injected, failures, seed);
        assertTrue(injected.getOrDefault(Fault.CUT, 0) + injected.getOrDefault(Fault.STALL, 0)
                + injected.getOrDefault(Fault.CORRUPT, 0) > 0, "faults were injected: " + injected);
    }

    private PulledImage pullVia(ChaosProxy proxy, Path store) throws Exception {
        TransportSettings settings = new TransportSettings(Set.of(proxy.host()), Optional.empty(), Map.of(), QUICK, STALL_TIMEOUT);
        return new ImagePuller(RegistryClient.create(settings), new BlobStore(store))
                .pull(ImageRef.parse(proxy.host() + "/demo@" + demo.requireDigest()), Platform.parse("linux/amd64"), PullProgress.NONE);
    }

    /**
     * Per blob, in order: after a cut the next request resumes exactly where the bytes delivered end, after a stall
     * no earlier than the previous request began and no later than the bytes delivered; after flipped bytes it starts
     * over at 0 (those bytes were never verified: they are discarded). A blob that arrived whole is never asked for
     * again.
     */
    private static void checkNoVerifiedByteFetchedTwice(List<Exchange> exchanges, long seed) {
        Map<String, List<Exchange>> byBlob = new HashMap<>();
        exchanges.forEach(x -> byBlob.computeIfAbsent(x.digest(), d -> new ArrayList<>()).add(x));
        byBlob.forEach((digest, list) -> {
            for (int i = 1; i < list.size(); i++) {
                Exchange prev = list.get(i - 1);
                Exchange next = list.get(i);
                assertTrue(prev.fault() != Fault.NONE, "blob " + digest + " was fetched again after it arrived whole: " + list);
                String where = "blob " + digest + " request " + i + " after " + prev + " (seed " + seed + "): " + list;
                if (prev.fault() == Fault.CORRUPT) {
                    assertEquals(0, next.from(), where);
                } else if (prev.fault() == Fault.CUT) {
                    // The bytes before the FIN all reach the client: it resumes exactly after them.
                    assertEquals(prev.from() + prev.delivered(), next.from(), where);
                } else {
                    // A stall: the client resumes after what it had read when it gave up, never before what it had
                    // before this request (on a starved machine the last bytes sent may not have been read yet).
                    assertTrue(next.from() >= prev.from() && next.from() <= prev.from() + prev.delivered(), where);
                }
            }
            Exchange last = list.get(list.size() - 1);
            assertTrue(last.fault() == Fault.NONE, "the blob ended whole: " + list);
        });
    }

    private static void checkStoreHoldsOnlyVerifiedBlobs(Path store) throws Exception {
        try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                assertEquals(blob.getFileName().toString(), Digest.sha256Of(Files.readAllBytes(blob)).hex(), "stored blob is what its name says");
            }
        }
        try (Stream<Path> left = Files.list(store.resolve("ingest"))) {
            List<Path> parts = left.filter(p -> p.toString().endsWith(".part")).toList();
            assertTrue(parts.isEmpty(), "no partial download left after a complete pull: " + parts);
        }
    }
}
