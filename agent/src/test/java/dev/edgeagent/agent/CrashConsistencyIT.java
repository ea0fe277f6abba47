package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.testkit.Tools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent, a process of its own, is killed with SIGKILL at random moments of an update and started again. Each
 * order is answered in the end (the broker delivers an unfinished one again), and the app then runs exactly the
 * recorded generation, whole — never neither, never both — with no half-built generation or stray container left. 50 kills by default; {@code -Dedgeagent.killLoops=N} runs more (bench/kill-loop: 500).
 */
class CrashConsistencyIT {
    static AgentFixture f;
    static String imageA;
    static String imageB;
    static Path config;
    static Process agent;
    /** Replies to orders sent without a response topic. */
    static MqttCli.Subscription deviceReplies;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("crash");
        imageA = f.registry.pushDemoImage(f.work.resolve("image-a"), "demo");
        imageB = f.registry.pushDemoImage(f.work.resolve("image-b"), "demo-b", "release-b");
        config = f.work.resolve("agent.json");
        Files.writeString(config, new String(Json.pretty(Map.of("deviceId", "crash", "broker", f.broker.uri(),
                "root", f.work.resolve("root").toString(), "runtimeStateRoot", f.work.resolve("runc").toString(),
                "runtime", Tools.require("runc", "runc").toString(), "localSocket", f.work.resolve("agent.sock").toString(),
                "insecureRegistries", List.of(f.registry.host()), "trust", Map.of("allowUnsigned", true)))));
        deviceReplies = f.mqtt.subscribe("edge/crash/reply");
        agent = launch();
        waitConnected();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.destroyForcibly().waitFor();
        }
        if (deviceReplies != null) {
            deviceReplies.close();
        }
        if (f != null) {
            f.close();
        }
    }

    /** A fresh JVM running the daemon, from the test's own classpath. */
    static Process launch() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), "dev.edgeagent.agent.Main", "run",
                "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(f.work.resolve("agent.log").toFile()))
                .redirectInput(new File("/dev/null")).start();
    }

    static void waitConnected() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(f.work.resolve("agent.log"))
                && Files.readString(f.work.resolve("agent.log")).split("connected to", -1).length > restarts + 1);
    }

    static int restarts;

    @SuppressWarnings("unchecked")
    static Map<String, Object> record() throws Exception {
        Path apps = f.work.resolve("root/state/apps.json");
        if (!Files.exists(apps)) {
            return Map.of();
        }
        Map<String, Object> all = (Map<String, Object>) Json.object(Files.readAllBytes(apps)).get("apps");
        return (Map<String, Object>) all.getOrDefault("app", Map.of());
    }

    @Test
    void killedAtAnyMomentTheAppRunsOneWholeGeneration() throws Exception {
        f.mqtt.publish("edge/crash/cmd/deploy", "{\"id\":\"first\",\"app\":\"app\",\"image\":\"" + imageA + "\"}", "edge/crash/reply/test",
                "first");
        assertEquals(true, Json.object(f.replies.next("\"first\"", 60).getBytes()).get("ok"));
        int loops = Integer.getInteger("edgeagent.killLoops", 50);
        Random random = new Random(7);
        for (int i = 1; i <= loops; i++) {
            String image = i % 2 == 1 ? imageB : imageA;
            f.mqtt.publish("edge/crash/cmd/deploy", "{\"id\":\"kill-" + i + "\",\"app\":\"app\",\"image\":\"" + image + "\"}", null, null);
            Thread.sleep(random.nextInt(900));
            Tools.run(List.of("kill", "-KILL", Long.toString(agent.pid())), 10).orThrow("kill -9");
            agent.waitFor();
            agent = launch();
            restarts++;
            waitConnected();
            // Every order is answered in the end: before the kill, or when the broker delivers it again.
            Map<String, Object> reply = Json.object(deviceReplies.next("\"id\":\"kill-" + i + "\"", 90).getBytes());
            assertEquals(true, reply.get("ok"), "loop " + i + ": " + reply);
            assertOneWholeGeneration(i);
        }
        String log = Files.readString(f.work.resolve("agent.log"));
        System.err.printf("kill loop: %d kills; %d stray containers, %d stray generations and %d half-built generations "
                + "cleaned at start; %d restarts scheduled by the supervisor%n", loops, count(log, "removing container"),
                count(log, "which no app record names") - count(log, "removing container"),
                count(log, "removing half-built generation"), count(log, "; restarting in"));
    }

    private static int count(String text, String needle) {
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    @Test
    void anOrderTheAgentDiedInTheMiddleOfIsDeliveredAgainAndDone() throws Exception {
        // Acknowledged to the broker only once done: killed mid-way, the order comes back and is carried out.
        f.mqtt.publish("edge/crash/cmd/deploy", "{\"id\":\"redeliver-1\",\"app\":\"late\",\"image\":\"" + imageB
                + "\",\"restart\":\"no\"}", "edge/crash/reply/test", "redeliver-1");
        Thread.sleep(60);
        Tools.run(List.of("kill", "-KILL", Long.toString(agent.pid())), 10).orThrow("kill -9");
        agent.waitFor();
        agent = launch();
        restarts++;
        waitConnected();
        Map<String, Object> reply = Json.object(f.replies.next("\"redeliver-1\"", 60).getBytes());
        assertEquals(true, reply.get("ok"), reply.toString());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> f.containers().contains("late-1"));
        f.mqtt.publish("edge/crash/cmd/remove", "{\"id\":\"late-rm\",\"app\":\"late\"}", "edge/crash/reply/test", "late-rm");
        assertEquals(true, Json.object(f.replies.next("\"late-rm\"", 60).getBytes()).get("ok"));
    }

    private void assertOneWholeGeneration(int loop) throws Exception {
        Awaitility.await("loop " + loop + ": the app runs again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> "RUNNING".equals(record().get("phase")) && f.containers().contains(String.valueOf(record().get("container")))
                        && isRunning(String.valueOf(record().get("container"))));
        Map<String, Object> app = record();
        assertTrue(Set.of(imageA, imageB).contains(app.get("image")), "loop " + loop + ": " + app);
        String container = String.valueOf(app.get("container"));
        List<String> containers = f.containers().stream().filter(c -> c.startsWith("app-")).toList();
        assertEquals(List.of(container), containers, "loop " + loop + ": exactly the recorded container runs");
        Path gens = f.work.resolve("root/apps/app");
        try (Stream<Path> s = Files.list(gens)) {
            assertEquals(List.of(String.valueOf(app.get("generation"))), s.map(p -> p.getFileName().toString()).toList(),
                    "loop " + loop + ": one generation folder, no staging");
        }
        Path bundle = gens.resolve(String.valueOf(app.get("generation")));
        assertTrue(Files.isRegularFile(bundle.resolve("config.json")) && Files.isRegularFile(bundle.resolve("rootfs/bin/busybox")),
                "loop " + loop + ": the generation is whole");
    }

    private static boolean isRunning(String container) throws Exception {
        String state = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root", f.work.resolve("runc").toString(),
                "state", container), 10).stdout();
        return state.contains("\"status\": \"running\"") || state.contains("\"status\":\"running\"");
    }
}
