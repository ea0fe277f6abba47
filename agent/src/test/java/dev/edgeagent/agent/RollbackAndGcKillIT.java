package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.testkit.OciLayouts;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.TarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The crash-consistency kill loop (see {@link CrashConsistencyIT}) aimed at two narrower windows: a release rolled
 * back by its failing health probe, and the blob garbage collection of a remove. The agent, a process of its own, is
 * killed with SIGKILL at a random moment of each and started again. 6 kills each by default;
 * {@code -Dedgeagent.rollbackKills=N} and {@code -Dedgeagent.gcKills=N} run more (bench/kill-loop).
 */
class RollbackAndGcKillIT {
    /** A probe that never passes: every deploy carrying it is rolled back at the end of its grace period. */
    static final String FAILING_HEALTH = ",\"health\":{\"graceSeconds\":2,\"probe\":{\"exec\":[\"/bin/sh\",\"-c\",\"exit 1\"]}}";

    static AgentFixture f;
    static String good;
    static String bad;
    static String big;
    static AgentProcess agent;
    /** Replies to orders sent without a response topic. */
    static MqttCli.Subscription deviceReplies;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("killphases");
        good = f.registry.pushDemoImage(f.work.resolve("image-good"), "demo");
        bad = f.registry.pushDemoImage(f.work.resolve("image-bad"), "demo-bad", "release-bad");
        big = pushManyLayers(Integer.getInteger("edgeagent.gcLayers", 32));
        deviceReplies = f.mqtt.subscribe("edge/killphases/reply");
        agent = AgentProcess.lab(f);
        agent.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (deviceReplies != null) {
            deviceReplies.close();
        }
        if (f != null) {
            f.close();
        }
    }

    /** The demo image with {@code layers} more layers of 64 KiB of noise each: a remove leaves that many blobs to collect. */
    static String pushManyLayers(int layers) throws Exception {
        Path dir = f.work.resolve("images/big");
        String source = Registry.buildDemoLayout(dir);
        Random noise = new Random(11);
        for (int i = 0; i < layers; i++) {
            byte[] data = new byte[64 * 1024];
            noise.nextBytes(data);
            OciLayouts.addLayer(dir.resolve("layout"), "demo", new TarBuilder().file("noise/" + i, data, 0, 0644));
        }
        Digest d = OciLayouts.push(source, f.registry.host() + "/big:1");
        return f.registry.host() + "/big@" + d;
    }

    @Test
    void killedDuringARollbackTheGoodReleaseRunsWhole() throws Exception {
        Map<String, Object> first = f.deploy("rb-first", "rb", good, "");
        assertEquals(true, first.get("ok"), first.toString());
        int loops = Integer.getInteger("edgeagent.rollbackKills", 6);
        Random random = new Random(13);
        int before = 0;
        int during = 0;
        int after = 0;
        for (int i = 1; i <= loops; i++) {
            String id = "rb-kill-" + i;
            long goodGeneration = ((Number) agent.record("rb").get("generation")).longValue();
            String badContainer = "rb-" + (goodGeneration + 1);
            f.mqtt.publish("edge/killphases/cmd/deploy", "{\"id\":\"" + id + "\",\"app\":\"rb\",\"image\":\"" + bad + "\""
                    + FAILING_HEALTH + "}", null, null);
            // Pull (cached after the first loop), unpack, stop the good one, start the bad one, 2 s of grace, roll back.
            Thread.sleep(random.nextInt(4500));
            agent.kill();
            boolean badExisted = f.containers().contains(badContainer);
            String stage = stage(id, badExisted);
            switch (stage) {
                case "before" -> before++;
                case "during" -> during++;
                default -> after++;
            }
            agent.start();
            // Answered in the end, before the kill or when the broker delivers the order again: rolled back.
            Map<String, Object> reply = Json.object(deviceReplies.next("\"id\":\"" + id + "\"", 120).getBytes());
            assertEquals(false, reply.get("ok"), "loop " + i + " (killed " + stage + "): " + reply);
            assertEquals("ROLLED_BACK", reply.get("code"), "loop " + i + " (killed " + stage + "): " + reply);
            agent.assertOneWholeGeneration("rb", Set.of(good), "loop " + i + " (killed " + stage + ")");
            assertEquals(goodGeneration, ((Number) agent.record("rb").get("generation")).longValue(),
                    "loop " + i + ": the good generation is still the recorded one");
        }
        String log = agent.wholeLog();
        System.err.printf("rollback kill loop: %d kills; %d before the bad generation started, %d while it ran (grace period), "
                + "%d after it was discarded; %d stray containers and %d half-built generations cleaned at start%n", loops,
                before, during, after, AgentProcess.count(log, "removing container rb-"),
                AgentProcess.count(log, "removing half-built generation"));
    }

    /** Where the kill landed: from the order's events that reached the broker, and whether the bad container existed. */
    private static String stage(String id, boolean badExisted) throws Exception {
        String stage = badExisted ? "during" : "before";
        for (String e : f.events.drain(300)) {
            if (!e.contains("\"op\":\"" + id + "\"")) {
                continue;
            }
            if (e.contains("\"type\":\"rollback.done\"") || e.contains("\"type\":\"health.failed\"")) {
                stage = "after";
            } else if (e.contains("\"type\":\"health.started\"") && stage.equals("before")) {
                stage = "during";
            }
        }
        return stage;
    }

    @Test
    void killedDuringGarbageCollectionNoBlobIsTornAndNoKeptBlobIsLost() throws Exception {
        Map<String, Object> kept = f.deploy("gc-keep", "keep", good, "");
        assertEquals(true, kept.get("ok"), kept.toString());
        int loops = Integer.getInteger("edgeagent.gcKills", 6);
        Random random = new Random(17);
        int untouched = 0;
        int half = 0;
        int collected = 0;
        int timed = 0;
        int imageBlobs = 0;
        for (int i = 1; i <= loops; i++) {
            // Deploying the removed image again works, whatever the last kill left.
            Map<String, Object> deployed = f.deploy("gc-deploy-" + i, "big", big, "");
            assertEquals(true, deployed.get("ok"), "loop " + i + ": " + deployed);
            // What the remove leaves to collect: the big image's blobs that no other app needs.
            Set<Digest> garbage = new HashSet<>(neededBy("big"::equals));
            garbage.removeAll(neededBy(app -> !app.equals("big")));
            imageBlobs = garbage.size();
            String id = "gc-rm-" + i;
            f.mqtt.publish("edge/killphases/cmd/remove", "{\"id\":\"" + id + "\",\"app\":\"big\"}", null, null);
            int target = random.nextInt(garbage.size() + 1);
            if (target == 0) {
                // Anywhere in the remove: the stop, the record, the folders, the collection.
                Thread.sleep(random.nextInt(1500));
                timed++;
            } else {
                // Once the collection has removed `target` of its blobs (or has finished, or never starts).
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (System.nanoTime() < deadline && gone(garbage) < target) {
                    Thread.onSpinWait();
                }
            }
            agent.kill();
            int left = garbage.size() - gone(garbage);
            if (left == garbage.size()) {
                untouched++;
            } else if (left > 0) {
                half++;
            } else {
                collected++;
            }
            assertEveryBlobIsWhole("loop " + i + ", at the kill");
            agent.start();
            Map<String, Object> reply = Json.object(deviceReplies.next("\"id\":\"" + id + "\"", 120).getBytes());
            assertEquals(true, reply.get("ok"), "loop " + i + " (" + left + " of " + garbage.size() + " blobs left at the kill): " + reply);
            assertEveryBlobIsWhole("loop " + i);
            assertTrue(blobs().containsAll(neededBy(app -> true)), "loop " + i + ": every blob a remaining app needs is there");
            Set<Digest> stale = new HashSet<>(blobs());
            stale.removeAll(neededBy(app -> true));
            assertEquals(Set.of(), stale, "loop " + i + ": the answered remove collected the removed image's blobs");
            assertEquals(Map.of(), agent.record("big"), "loop " + i + ": the record is gone");
            assertTrue(f.containers().stream().noneMatch(c -> c.startsWith("big-")), "loop " + i + ": " + f.containers());
            assertTrue(!Files.exists(agent.root().resolve("apps/big")), "loop " + i + ": the app's folder is gone");
            agent.assertOneWholeGeneration("keep", Set.of(good), "loop " + i);
        }
        assertEquals(true, f.deploy("gc-deploy-last", "big", big, "").get("ok"), "the removed image deploys again");
        System.err.printf("gc kill loop: %d kills (%d at a random moment of the remove, %d once the collection had removed a "
                + "random number of blobs); at the kill %d found the %d-blob image untouched, %d half-collected, %d fully "
                + "collected; %d removes finished by their redelivered order; 0 torn blobs, 0 missing blobs%n", loops, timed,
                loops - timed, untouched, imageBlobs, half, collected, AgentProcess.count(agent.wholeLog(), "finishing remove gc-rm-"));
    }

    private static int gone(Set<Digest> watched) {
        int n = 0;
        for (Digest d : watched) {
            if (!Files.exists(blobPath(d))) {
                n++;
            }
        }
        return n;
    }

    private static Path blobPath(Digest d) {
        return agent.root().resolve("blobs/sha256").resolve(d.hex());
    }

    private static Set<Digest> blobs() throws Exception {
        try (Stream<Path> s = Files.list(agent.root().resolve("blobs/sha256"))) {
            return s.map(p -> new Digest(Digest.SHA256, p.getFileName().toString())).collect(Collectors.toSet());
        }
    }

    /** Every file under blobs/sha256 hashes to its own name: a kill never leaves a torn blob. */
    private static void assertEveryBlobIsWhole(String what) throws Exception {
        for (Digest d : blobs()) {
            assertEquals(d, Digest.sha256Of(Files.readAllBytes(blobPath(d))), what + ": blob " + d + " is torn");
        }
    }

    /** The blobs the manifests of the recorded apps that {@code which} accepts name: manifest, config, layers. */
    @SuppressWarnings("unchecked")
    private static Set<Digest> neededBy(java.util.function.Predicate<String> which) throws Exception {
        Map<String, Object> apps = (Map<String, Object>) Json.object(Files.readAllBytes(agent.root().resolve("state/apps.json"))).get("apps");
        Set<Digest> out = new HashSet<>();
        for (Map.Entry<String, Object> a : apps.entrySet()) {
            if (!which.test(a.getKey())) {
                continue;
            }
            Digest manifest = Digest.parse((String) ((Map<String, Object>) a.getValue()).get("manifestDigest"));
            out.add(manifest);
            Map<String, Object> m = Json.object(Files.readAllBytes(blobPath(manifest)));
            out.add(Digest.parse((String) ((Map<String, Object>) m.get("config")).get("digest")));
            for (Object layer : (List<Object>) m.get("layers")) {
                out.add(Digest.parse((String) ((Map<String, Object>) layer).get("digest")));
            }
        }
        return out;
    }
}
