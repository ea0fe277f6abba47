package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.ImageRef;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.testkit.LyingRegistry;
import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.Tools;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thin path through real parts: mosquitto, docker-registry, runc. Orders come from mosquitto_pub, replies are
 * read with mosquitto_sub, and the constraints are checked from inside the running container.
 */
class DeployEndToEndIT {
    private static final String DEVICE = "e2e-device";
    private static final Path WORK = Path.of(System.getProperty("java.io.tmpdir"), "edgeagent-e2e-" + ProcessHandle.current().pid());

    static Mosquitto broker;
    static Registry registry;
    static LyingRegistry manifestLiar;
    static LyingRegistry blobLiar;
    static final AtomicReference<String> corruptBlob = new AtomicReference<>("none");
    static ImageRef demo;
    /** An image no other test pulls, so its layer can only come from the lying registry. */
    static ImageRef lonely;
    static AgentConfig config;
    static Agent agent;
    static MqttCli mqtt;
    static MqttCli.Subscription replies;
    static MqttCli.Subscription events;

    @BeforeAll
    static void startEverything() throws Exception {
        Tools.require("runc", "runc");
        Trees.deleteRecursively(WORK);
        broker = Mosquitto.start(Files.createDirectories(WORK.resolve("broker")));
        registry = Registry.start(Files.createDirectories(WORK.resolve("registry")));
        demo = ImageRef.parse(registry.pushDemoImage(WORK.resolve("image"), "demo"));
        lonely = ImageRef.parse(registry.pushDemoImage(WORK.resolve("lonely"), "lonely", "lonely-" + System.nanoTime()));
        manifestLiar = new LyingRegistry(registry, path -> path.contains("/manifests/"));
        blobLiar = new LyingRegistry(registry, path -> path.endsWith(corruptBlob.get()));
        config = AgentConfig.of(new DeviceId(DEVICE), URI.create(broker.uri()), WORK.resolve("root"),
                Tools.require("runc", "runc"), WORK.resolve("runc"), Set.of(registry.host(), manifestLiar.host(), blobLiar.host()));
        mqtt = new MqttCli(broker.port());
        replies = mqtt.subscribe("e2e/replies");
        events = mqtt.subscribe("edge/" + DEVICE + "/events");
        agent = Agent.start(config);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (agent != null) {
            agent.close();
        }
        Path runc = Tools.require("runc", "runc");
        String ids = Tools.run(List.of(runc.toString(), "--root", WORK.resolve("runc").toString(), "list", "-q"), 30).stdout();
        for (String id : ids.strip().split("\\s+")) {
            if (!id.isEmpty()) {
                Tools.run(List.of(runc.toString(), "--root", WORK.resolve("runc").toString(), "delete", "--force", id), 30);
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {replies, events, manifestLiar, blobLiar, registry, broker}) {
            if (c != null) {
                c.close();
            }
        }
        Trees.deleteRecursively(WORK);
    }

    private static Map<String, Object> order(String id, String app, String image, String extra) throws Exception {
        String payload = "{\"id\":\"" + id + "\",\"app\":\"" + app + "\",\"image\":\"" + image + "\"" + extra + "}";
        mqtt.publish("edge/" + DEVICE + "/cmd/deploy", payload, "e2e/replies", id);
        return Json.object(replies.next("\"" + id + "\"", 120).getBytes());
    }

    private static Map<String, String> report(String app) {
        return report(app, 1);
    }

    /** The key: value lines the demo app printed from inside, once its {@code runs}-th run has reported. */
    private static Map<String, String> report(String app, int runs) {
        Path log = config.root().resolve("logs/" + app + "/" + app + ".log");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(log)
                && Files.readString(log).split("report: end", -1).length > runs);
        Map<String, String> values = new HashMap<>();
        try {
            for (String line : Files.readAllLines(log)) {
                int colon = line.indexOf(": ");
                if (colon > 0) {
                    values.put(line.substring(0, colon), line.substring(colon + 2).strip());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return values;
    }

    @Test
    void anOrderFromAnOutsideClientRunsTheAppUnderEveryConstraint() throws Exception {
        Map<String, Object> reply = order("op-run", "demo", demo.toString(), ",\"resources\":{\"memoryBytes\":67108864,\"pids\":32}");
        assertEquals(true, reply.get("ok"), reply.toString());
        assertEquals("OK", reply.get("code"));
        events.next("\"container.started\"", 10);

        Map<String, String> inside = report("demo");
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

        String state = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root", WORK.resolve("runc").toString(),
                "state", "demo-1"), 30).orThrow("runc state").stdout();
        long pid = ((Number) Json.object(state.getBytes()).get("pid")).longValue();
        String hostUid = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        assertEquals(uidMap[1], hostUid, "seen from the host, the app's root is the first id of its range");

        try (MqttCli.Subscription status = mqtt.subscribe("edge/" + DEVICE + "/status")) {
            Map<String, Object> doc = Json.object(status.next("\"demo\"", 10).getBytes());
            @SuppressWarnings("unchecked")
            Map<String, Object> app = (Map<String, Object>) ((Map<String, Object>) doc.get("apps")).get("demo");
            assertEquals("RUNNING", app.get("phase"));
            assertEquals(demo.requireDigest().toString(), app.get("manifestDigest"));
            assertTrue(String.valueOf(doc.get("runtime")).startsWith("runc"));
        }

        Map<String, Object> again = order("op-run-again", "demo", demo.toString(), ",\"resources\":{\"memoryBytes\":67108864,\"pids\":32}");
        assertEquals(true, again.get("ok"));
        assertEquals(1, ((Map<?, ?>) again.get("result")).get("generation"), "the same order twice starts nothing new");
    }

    @Test
    void aChangedOrderReplacesTheRunningGenerationAndRemovesTheOldOne() throws Exception {
        Map<String, Object> first = order("op-v1", "resized", demo.toString(), ",\"resources\":{\"memoryBytes\":67108864}");
        assertEquals(true, first.get("ok"), first.toString());
        assertEquals("67108864", report("resized", 1).get("memory_limit"));

        Map<String, Object> second = order("op-v2", "resized", demo.toString(), ",\"resources\":{\"memoryBytes\":100663296}");
        assertEquals(true, second.get("ok"), second.toString());
        assertEquals(2, ((Map<?, ?>) second.get("result")).get("generation"));
        assertEquals("100663296", report("resized", 2).get("memory_limit"));
        try (Stream<Path> gens = Files.list(config.root().resolve("apps/resized"))) {
            assertEquals(List.of("2"), gens.map(p -> p.getFileName().toString()).toList());
        }
        String containers = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root",
                WORK.resolve("runc").toString(), "list", "-q"), 30).stdout();
        assertTrue(containers.contains("resized-2") && !containers.contains("resized-1"), containers);
    }

    @Test
    void aManifestWithTheWrongDigestStopsTheDeployAndLeavesNothing() throws Exception {
        String image = manifestLiar.host() + "/demo@" + demo.requireDigest();
        Map<String, Object> reply = order("op-bad-manifest", "badmanifest", image, "");
        assertEquals(false, reply.get("ok"));
        assertEquals("DIGEST_MISMATCH", reply.get("code"));
        assertTrue(String.valueOf(reply.get("message")).contains(demo.requireDigest().toString()), reply.toString());
        assertTrue(events.next("\"op\":\"op-bad-manifest\",\"app\":\"badmanifest\",\"type\":\"deploy.failed\"", 10)
                .contains("DIGEST_MISMATCH"));
        assertLeftNothing("badmanifest");
    }

    @Test
    void aLayerWithTheWrongDigestStopsTheDeployAndLeavesNothing() throws Exception {
        String manifest = new String(Files.readAllBytes(pulledManifest(lonely)));
        String layer = manifest.substring(manifest.lastIndexOf("sha256:"), manifest.lastIndexOf("sha256:") + 71);
        corruptBlob.set(layer);
        String image = blobLiar.host() + "/lonely@" + lonely.requireDigest();
        Map<String, Object> reply = order("op-bad-layer", "badlayer", image, "");
        assertEquals(false, reply.get("ok"));
        assertEquals("DIGEST_MISMATCH", reply.get("code"));
        assertTrue(String.valueOf(reply.get("message")).contains(layer), reply.toString());
        assertLeftNothing("badlayer");
        assertFalse(Files.exists(config.root().resolve("blobs/sha256/" + layer.substring(7))), "no corrupt blob is stored");
    }

    @Test
    void badOrdersGetAClearErrorReply() throws Exception {
        mqtt.publish("edge/" + DEVICE + "/cmd/deploy", "{not json", "e2e/replies", "x");
        Map<String, Object> notJson = Json.object(replies.next("BAD_REQUEST", 30).getBytes());
        assertTrue(String.valueOf(notJson.get("message")).contains("not a JSON object"));

        mqtt.publish("edge/" + DEVICE + "/cmd/launch-missiles", "{\"id\":\"op-x\"}", "e2e/replies", "y");
        Map<String, Object> unknown = Json.object(replies.next("UNKNOWN_COMMAND", 30).getBytes());
        assertEquals("op-x", unknown.get("id"), "a refused order is still answered by its id");
        assertTrue(String.valueOf(unknown.get("message")).contains("launch-missiles"));

        Map<String, Object> tooBig = order("op-too-big", "hungry", demo.toString(), ",\"resources\":{\"memoryBytes\":1099511627776}");
        assertEquals("LIMIT_EXCEEDED", tooBig.get("code"));
        assertTrue(String.valueOf(tooBig.get("message")).contains("ceilings.memoryBytes"));
        assertLeftNothing("hungry");
    }

    private static Path pulledManifest(ImageRef image) throws Exception {
        Path store = WORK.resolve("probe-store");
        new dev.edgeagent.ota.ImagePuller(dev.edgeagent.ota.registry.RegistryClient.create(
                dev.edgeagent.ota.registry.TransportSettings.insecure(Set.of(registry.host()))),
                new dev.edgeagent.ota.blob.BlobStore(store)).pull(image, dev.edgeagent.profiles.Platform.host(),
                dev.edgeagent.ota.PullProgress.NONE);
        return store.resolve("blobs/sha256/" + image.requireDigest().hex());
    }

    private static void assertLeftNothing(String app) throws Exception {
        Path appDir = config.root().resolve("apps/" + app);
        if (Files.exists(appDir)) {
            try (Stream<Path> s = Files.list(appDir)) {
                assertEquals(List.of(), s.toList(), "no rootfs, bundle or staging dir is left for " + app);
            }
        }
        String containers = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root",
                WORK.resolve("runc").toString(), "list", "-q"), 30).stdout();
        assertFalse(containers.contains(app + "-"), "no container is left for " + app + ": " + containers);
        try (Stream<Path> ingest = Files.list(config.root().resolve("ingest"))) {
            assertEquals(0, ingest.filter(f -> f.toString().endsWith(".part")).count(), "no partial download is left");
        }
    }
}
