package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.control.MqttControlChannel;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.testkit.Mosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Connecting the channel to a real mosquitto. Paho 1.2.5 sleeps 100 ms after starting each of its three loops
 * (eclipse-paho/paho.mqtt.java#945), so every connect took at least 300 ms, a third of the agent's start; the
 * channel's executor wakes it once the loop runs.
 */
class MqttConnectIT {
    static final int CONNECTS = 5;

    @Test
    void aConnectIsNotHeldUpByPahosStartUpSleepsAndLeavesNoThreadOnceClosed() throws Exception {
        Path dir = Files.createTempDirectory("edgeagent-connect");
        Mosquitto broker = Mosquitto.start(dir);
        try {
            connectAndClose(broker, "connect-warm-up"); // class loading and the JIT: not what is measured
            long began = System.nanoTime();
            for (int i = 0; i < CONNECTS; i++) {
                connectAndClose(broker, "connect-" + i);
            }
            long millis = (System.nanoTime() - began) / 1_000_000;
            // Not a speed goal (bench/footprint measures the start): with Paho's sleeps no connect is under 300 ms.
            assertTrue(millis < CONNECTS * 300L, CONNECTS + " connects took " + millis + " ms: Paho's 100 ms start-up sleeps are back");
            // Paho's loops carry the client id, the executor's threads the device
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of(),
                    liveThreads(n -> n.contains("connect-")), "threads of closed channels"));
        } finally {
            broker.close();
            dev.edgeagent.security.fs.Trees.deleteRecursively(dir);
        }
    }

    private static void connectAndClose(Mosquitto broker, String device) throws Exception {
        MqttControlChannel channel = new MqttControlChannel(broker.uri(), new Topics(new DeviceId(device)), Optional.empty(), 10);
        try {
            channel.start((name, payload, replyTo, done) -> done.run());
        } finally {
            channel.close();
        }
    }

    /** The names of this JVM's live threads that {@code named} picks, sorted. */
    static List<String> liveThreads(java.util.function.Predicate<String> named) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(named).sorted().collect(Collectors.toList());
    }
}
