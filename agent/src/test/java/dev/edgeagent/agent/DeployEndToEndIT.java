package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.PullProgress;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.LyingRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thin path through real parts: mosquitto, docker-registry, runc. Orders come from mosquitto_pub, replies are
 * read with mosquitto_sub, and the constraints are checked from inside the running container.
 */
class DeployEndToEndIT {
    static AgentFixture f;
    static LyingRegistry manifestLiar;
    static LyingRegistry blobLiar;
    static final AtomicReference<String> corruptBlob = new AtomicReference<>("none");
    static ImageRef demo;
    /** An image no other test pulls, so its layer can only come from the lying registry. */
    static ImageRef lonely;

    @BeforeAll
    static void startEverything() throws Exception {
        f = new AgentFixture("e2e-device");
        demo = ImageRef.parse(f.registry.pushDemoImage(f.work.resolve("image"), "demo"));
        lonely = ImageRef.parse(f.registry.pushDemoImage(f.work.resolve("lonely"), "lonely", "lonely-" + System.nanoTime()));
        manifestLiar = new LyingRegistry(f.registry, path -> path.contains("/manifests/"));
        blobLiar = new LyingRegistry(f.registry, path -> path.endsWith(corruptBlob.get()));
        f.insecure.add(manifestLiar.host());
        f.insecure.add(blobLiar.host());
        f.startAgent();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {f, manifestLiar, blobLiar}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void anOrderFromAnOutsideClientRunsTheAppUnderEveryConstraint() throws Exception {
        Map<String, Object> reply = f.deploy("op-run", "demo", demo.toString(), ",\"resources\":{\"memoryBytes\":67108864,\"pids\":32}");
        assertEquals(true, reply.get("ok"), reply.toString());
        assertEquals("OK", reply.get("code"));
        f.event("demo", "container.started", 10);

        Map<String, String> inside = f.lines("demo", "report: end", 1);
        String[] uidMap = inside.get("uid_map").split(" ");
        assertEquals("0", uidMap[0], "uid 0 inside ...");
        assertNotEquals("0", uidMap[1], "... is never host root");
        assertTrue(Long.parseLong(uidMap[1]) >= 65536, "the app's range is clear of host ids");
        assertEquals("65536", uidMap[2]);
        assertEquals("0000000000000000", inside.get("CapEff"), "no capabilities");
        assertEquals("1", inside.get("NoNewPrivs"));
        assertEquals("2", inside.get("Seccomp"), "seccomp filter mode");
        assertEquals("67108864", inside.get("memory_limit"));
        assertEquals("32", inside.get("pids_limit"));
        assertEquals("refused", inside.get("rootfs_write"));
        assertEquals("allowed", inside.get("tmp_write"));
        assertEquals("refused", inside.get("new_userns"));
        assertEquals("refused", inside.get("new_mountns"));
        assertEquals("refused", inside.get("sethostname"));
        assertEquals("refused", inside.get("mknod"));

        String hostUid = dev.edgeagent.security.fs.KernelFiles.lines(Path.of("/proc/" + f.pidOf("demo-1") + "/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        assertEquals(uidMap[1], hostUid, "seen from the host, the app's root is the first id of its range");

        Map<String, Object> doc = f.status("\"demo\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> app = (Map<String, Object>) ((Map<String, Object>) doc.get("apps")).get("demo");
        assertEquals("RUNNING", app.get("phase"));
        assertEquals(demo.requireDigest().toString(), app.get("manifestDigest"));
        assertTrue(String.valueOf(doc.get("runtime")).startsWith("runc"));

        Map<String, Object> again = f.deploy("op-run-again", "demo", demo.toString(), ",\"resources\":{\"memoryBytes\":67108864,\"pids\":32}");
        assertEquals(true, again.get("ok"));
        assertEquals(1, ((Map<?, ?>) again.get("result")).get("generation"), "the same order twice starts nothing new");
    }

    @Test
    void aChangedOrderReplacesTheRunningGenerationAndRemovesTheOldOne() throws Exception {
        Map<String, Object> first = f.deploy("op-v1", "resized", demo.toString(), ",\"resources\":{\"memoryBytes\":67108864}");
        assertEquals(true, first.get("ok"), first.toString());
        assertEquals("67108864", f.lines("resized", "report: end", 1).get("memory_limit"));

        Map<String, Object> second = f.deploy("op-v2", "resized", demo.toString(), ",\"resources\":{\"memoryBytes\":100663296}");
        assertEquals(true, second.get("ok"), second.toString());
        assertEquals(2, ((Map<?, ?>) second.get("result")).get("generation"));
        assertEquals("100663296", f.lines("resized", "report: end", 2).get("memory_limit"));
        try (Stream<Path> gens = Files.list(f.config.root().resolve("apps/resized"))) {
            assertEquals(List.of("2"), gens.map(p -> p.getFileName().toString()).toList());
        }
        List<String> containers = f.containers();
        assertTrue(containers.contains("resized-2") && !containers.contains("resized-1"), containers.toString());
    }

    @Test
    void aReleaseThatDiesWithinItsGracePeriodIsRolledBackByItself() throws Exception {
        assertEquals(true, f.deploy("op-canary-1", "canary", demo.toString(), "").get("ok"));
        String bad = TestImages.push(f, "bad", List.of("/bin/sh", "-c", "echo 'bad: start'; sleep 1; exit 1"), null);
        Map<String, Object> reply = f.deploy("op-canary-2", "canary", bad, ",\"health\":{\"graceSeconds\":3}");
        assertEquals("ROLLED_BACK", reply.get("code"), reply.toString());
        assertTrue(String.valueOf(reply.get("message")).contains("generation 1 runs again"), reply.toString());
        f.event("canary", "rollback.done", 10);

        Map<String, Object> doc = f.status("\"canary\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> canary = (Map<String, Object>) ((Map<String, Object>) doc.get("apps")).get("canary");
        assertEquals(1, canary.get("generation"));
        assertEquals(demo.toString(), canary.get("image"), "the old release runs again");
        List<String> containers = f.containers();
        assertTrue(containers.contains("canary-1") && !containers.contains("canary-2"), containers.toString());
        try (Stream<Path> gens = Files.list(f.config.root().resolve("apps/canary"))) {
            assertEquals(List.of("1"), gens.map(p -> p.getFileName().toString()).toList(), "the failed generation is gone");
        }
        Map<String, Object> healthy = f.deploy("op-canary-3", "canary", demo.toString(), ",\"health\":{\"graceSeconds\":1}");
        assertEquals(true, healthy.get("ok"), "a release that stays up passes: " + healthy);

        // An exec probe runs inside the new container, through the runtime: one that fails rolls back too.
        Map<String, Object> unready = f.deploy("op-canary-4", "canary", demo.toString(), ",\"health\":{\"graceSeconds\":2,\"probe\":{\"exec\":[\"/bin/sh\",\"-c\",\"test -f /tmp/never\"]}}");
        assertEquals("ROLLED_BACK", unready.get("code"), unready.toString());
        assertTrue(String.valueOf(unready.get("message")).contains("did not pass its exec probe"), unready.toString());
        Map<String, Object> ready = f.deploy("op-canary-5", "canary", demo.toString(), ",\"health\":{\"graceSeconds\":3,\"probe\":{\"exec\":[\"/bin/sh\",\"-c\",\"test -d /proc/1\"]}}");
        assertEquals(true, ready.get("ok"), "a release whose probe passes replaces the old one: " + ready);
    }

    @Test
    void aManifestWithTheWrongDigestStopsTheDeployAndLeavesNothing() throws Exception {
        String image = manifestLiar.host() + "/demo@" + demo.requireDigest();
        Map<String, Object> reply = f.deploy("op-bad-manifest", "badmanifest", image, "");
        assertEquals(false, reply.get("ok"));
        assertEquals("DIGEST_MISMATCH", reply.get("code"));
        assertTrue(String.valueOf(reply.get("message")).contains(demo.requireDigest().toString()), reply.toString());
        assertEquals("DIGEST_MISMATCH", f.event("badmanifest", "deploy.failed", 10).get("code"));
        assertLeftNothing("badmanifest");
    }

    @Test
    void aLayerWithTheWrongDigestStopsTheDeployAndLeavesNothing() throws Exception {
        String manifest = new String(Files.readAllBytes(pulledManifest(lonely)));
        String layer = manifest.substring(manifest.lastIndexOf("sha256:"), manifest.lastIndexOf("sha256:") + 71);
        corruptBlob.set(layer);
        String image = blobLiar.host() + "/lonely@" + lonely.requireDigest();
        Map<String, Object> reply = f.deploy("op-bad-layer", "badlayer", image, "");
        assertEquals(false, reply.get("ok"));
        assertEquals("DIGEST_MISMATCH", reply.get("code"));
        assertTrue(String.valueOf(reply.get("message")).contains(layer), reply.toString());
        assertLeftNothing("badlayer");
        assertFalse(Files.exists(f.config.root().resolve("blobs/sha256/" + layer.substring(7))), "no corrupt blob is stored");
    }

    @Test
    void badOrdersGetAClearErrorReply() throws Exception {
        String device = f.device;
        f.mqtt.publish("edge/" + device + "/cmd/deploy", "{not json", "edge/" + device + "/reply/test", "x");
        Map<String, Object> notJson = Json.object(f.replies.next("BAD_REQUEST", 30).getBytes());
        assertTrue(String.valueOf(notJson.get("message")).contains("not a JSON object"));

        f.mqtt.publish("edge/" + device + "/cmd/launch-missiles", "{\"id\":\"op-x\"}", "edge/" + device + "/reply/test", "y");
        Map<String, Object> unknown = Json.object(f.replies.next("UNKNOWN_COMMAND", 30).getBytes());
        assertEquals("op-x", unknown.get("id"), "a refused order is still answered by its id");
        assertTrue(String.valueOf(unknown.get("message")).contains("launch-missiles"));

        Map<String, Object> tooBig = f.deploy("op-too-big", "hungry", demo.toString(), ",\"resources\":{\"memoryBytes\":1099511627776}");
        assertEquals("LIMIT_EXCEEDED", tooBig.get("code"));
        assertTrue(String.valueOf(tooBig.get("message")).contains("ceilings.memoryBytes"));
        assertLeftNothing("hungry");
    }

    private static Path pulledManifest(ImageRef image) throws Exception {
        Path store = f.work.resolve("probe-store");
        new ImagePuller(RegistryClient.create(TransportSettings.insecure(Set.of(f.registry.host()))), new BlobStore(store))
                .pull(image, Platform.host(), PullProgress.NONE);
        return store.resolve("blobs/sha256/" + image.requireDigest().hex());
    }

    private static void assertLeftNothing(String app) throws Exception {
        Path appDir = f.config.root().resolve("apps/" + app);
        if (Files.exists(appDir)) {
            try (Stream<Path> s = Files.list(appDir)) {
                assertEquals(List.of(), s.toList(), "no rootfs, bundle or staging dir is left for " + app);
            }
        }
        List<String> containers = f.containers();
        assertFalse(containers.stream().anyMatch(c -> c.startsWith(app + "-")), "no container is left for " + app + ": " + containers);
        try (Stream<Path> ingest = Files.list(f.config.root().resolve("ingest"))) {
            assertEquals(0, ingest.filter(p -> p.toString().endsWith(".part")).count(), "no partial download is left");
        }
    }

    @Test
    void startThenStopKeepsTheOldGenerationRunningUntilTheNewOneIsHealthy() throws Exception {
        String mem = ",\"resources\":{\"memoryBytes\":67108864}";
        assertEquals(true, f.deploy("op-twin-1", "twin", demo.toString(), mem).get("ok"));
        long oldPid = f.pidOf("twin-1");

        Map<String, Object> failed = f.deploy("op-twin-2", "twin", demo.toString(), mem + ",\"strategy\":\"start-then-stop\","
                + "\"health\":{\"graceSeconds\":2,\"probe\":{\"exec\":[\"/bin/sh\",\"-c\",\"exit 1\"]}}");
        assertEquals("ROLLED_BACK", failed.get("code"), failed.toString());
        assertTrue(String.valueOf(failed.get("message")).contains("generation 1 kept running throughout"), failed.toString());
        assertEquals(oldPid, f.pidOf("twin-1"), "the old generation was never stopped");
        assertEquals("start-then-stop", f.event("twin", "update.strategy", 10).get("used"));

        Map<String, Object> ok = f.deploy("op-twin-3", "twin", demo.toString(), mem + ",\"strategy\":\"start-then-stop\","
                + "\"health\":{\"graceSeconds\":1}");
        assertEquals(true, ok.get("ok"), ok.toString());
        List<String> containers = f.containers();
        assertTrue(containers.contains("twin-2") && !containers.contains("twin-1"), containers.toString());

        // Without room for both under the profile's memory ceiling, the update stops the old one first, and says so.
        Map<String, Object> big = f.deploy("op-twin-4", "twin", demo.toString(), ",\"resources\":{\"memoryBytes\":"
                + dev.edgeagent.profiles.DeviceProfiles.load("generic-x86_64").ceilings().memoryBytes()
                + "},\"strategy\":\"start-then-stop\"");
        assertEquals(true, big.get("ok"), big.toString());
        Map<String, Object> strategy = f.event("twin", "update.strategy", 10);
        while (!"stop-then-start".equals(strategy.get("used"))) {
            strategy = f.event("twin", "update.strategy", 10);
        }
        assertTrue(String.valueOf(strategy.get("reason")).contains("memory ceiling"), strategy.toString());
        f.discard("twin-3");
    }
}
