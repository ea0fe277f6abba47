package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgeagent.protocol.wire.Json;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent, a process of its own, is killed with SIGKILL at random moments of an update and started again. Each
 * order is answered in the end (the broker delivers an unfinished one again), and the app then runs exactly the
 * recorded generation, whole — never neither, never both — with no half-built generation or stray container left.
 * 50 kills by default; {@code -Dedgeagent.killLoops=N} runs more (bench/kill-loop: 500). {@link RollbackAndGcKillIT}
 * and {@link TrustRotationKillIT} aim the same kills at a rollback, a garbage collection and a trust rotation.
 */
class CrashConsistencyIT {
    static AgentFixture f;
    static String imageA;
    static String imageB;
    static AgentProcess agent;
    /** Replies to orders sent without a response topic. */
    static MqttCli.Subscription deviceReplies;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("crash");
        imageA = f.registry.pushDemoImage(f.work.resolve("image-a"), "demo");
        imageB = f.registry.pushDemoImage(f.work.resolve("image-b"), "demo-b", "release-b");
        deviceReplies = f.mqtt.subscribe("edge/crash/reply");
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
            agent.restart();
            // Every order is answered in the end: before the kill, or when the broker delivers it again.
            Map<String, Object> reply = Json.object(deviceReplies.next("\"id\":\"kill-" + i + "\"", 90).getBytes());
            assertEquals(true, reply.get("ok"), "loop " + i + ": " + reply);
            agent.assertOneWholeGeneration("app", Set.of(imageA, imageB), "loop " + i);
        }
        String log = agent.wholeLog();
        System.err.printf("kill loop: %d kills; %d stray containers, %d stray generations and %d half-built generations "
                + "cleaned at start; %d restarts scheduled by the supervisor%n", loops, AgentProcess.count(log, "removing container"),
                AgentProcess.count(log, "which no app record names") - AgentProcess.count(log, "removing container"),
                AgentProcess.count(log, "removing half-built generation"), AgentProcess.count(log, "; restarting in"));
    }

    @Test
    void anOrderTheAgentDiedInTheMiddleOfIsDeliveredAgainAndDone() throws Exception {
        // Acknowledged to the broker only once done: killed mid-way, the order comes back and is carried out.
        f.mqtt.publish("edge/crash/cmd/deploy", "{\"id\":\"redeliver-1\",\"app\":\"late\",\"image\":\"" + imageB
                + "\",\"restart\":\"no\"}", "edge/crash/reply/test", "redeliver-1");
        Thread.sleep(60);
        agent.restart();
        Map<String, Object> reply = Json.object(f.replies.next("\"redeliver-1\"", 60).getBytes());
        assertEquals(true, reply.get("ok"), reply.toString());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> f.containers().contains("late-1"));
        f.mqtt.publish("edge/crash/cmd/remove", "{\"id\":\"late-rm\",\"app\":\"late\"}", "edge/crash/reply/test", "late-rm");
        assertEquals(true, Json.object(f.replies.next("\"late-rm\"", 60).getBytes()).get("ok"));
    }
}
