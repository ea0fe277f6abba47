package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.edgeagent.protocol.wire.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/**
 * A flood of payloads too large to be orders, between two bursts of orders, sent to the agent in its own JVM with the
 * launcher's collector and heap ceiling. mosquitto 2.0.11 does not hold to the agent's Receive Maximum (it sends two
 * messages per acknowledgement), so only the agent can keep them from piling up in its heap: before it refused them as
 * they arrived, a burst like this one ended in an OutOfMemoryError in Paho's receive thread and a minute of deafness.
 */
class FloodIT {
    static final int ORDERS_BEFORE = 300;
    static final int LARGE = 200;
    static final int ORDERS_AFTER = 100;

    @Test
    void aFloodOfLargePayloadsIsRefusedAsItArrivesAndEveryOrderIsAnswered() throws Exception {
        AgentFixture f = new AgentFixture("flood");
        AgentProcess agent = null;
        MqttClient client = null;
        try {
            agent = AgentProcess.lab(f);
            agent.jvmFlags = List.of("-Xmx64m", "-XX:+UseSerialGC");
            agent.start();
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicInteger tooLarge = new AtomicInteger();
            client = new MqttClient(f.broker.uri(), "flood-test", new MemoryPersistence());
            client.setCallback((OnMessage) (topic, message) -> {
                Map<String, Object> reply = Json.object(message.getPayload());
                if (reply.get("id") != null) {
                    answered.add(String.valueOf(reply.get("id")));
                } else if (reply.toString().contains("PAYLOAD_TOO_LARGE")) {
                    tooLarge.incrementAndGet();
                }
            });
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setReceiveMaximum(2000); // Paho counts against this its own publishes in flight
            client.connect(options);
            client.subscribe("edge/flood/reply/flood", 1);
            MqttProperties props = new MqttProperties();
            props.setResponseTopic("edge/flood/reply/flood");
            for (int i = 0; i < ORDERS_BEFORE; i++) {
                publish(client, "edge/flood/cmd/ping", order("before-" + i), props);
            }
            byte[] large = new byte[1_000_000]; // over the 64 KiB order limit, under the agent's maximum packet size
            Arrays.fill(large, (byte) '[');
            for (int i = 0; i < LARGE; i++) {
                publish(client, "edge/flood/cmd/" + (i % 2 == 0 ? "ping" : "deploy"), large, props);
            }
            for (int i = 0; i < ORDERS_AFTER; i++) {
                publish(client, "edge/flood/cmd/list", order("after-" + i), props);
            }
            try {
                Awaitility.await("every order answered and every large payload refused").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> answered.size() == ORDERS_BEFORE + ORDERS_AFTER && tooLarge.get() == LARGE);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                String log = agent.wholeLog();
                throw new AssertionError(answered.size() + " of " + (ORDERS_BEFORE + ORDERS_AFTER) + " orders answered, " + tooLarge.get()
                        + " of " + LARGE + " large payloads refused in 90 s" + (log.contains("OutOfMemoryError") ? "; the agent ran out of heap" : "")
                        + ":\n" + tail(log), e);
            }
            String log = agent.wholeLog();
            assertFalse(log.contains("OutOfMemoryError"), "the agent ran out of heap:\n" + tail(log));
            assertEquals(LARGE, AgentProcess.count(log, "PAYLOAD_TOO_LARGE"), "each large payload refused once, by its size");
        } finally {
            if (client != null && client.isConnected()) {
                client.disconnect();
            }
            if (client != null) {
                client.close();
            }
            if (agent != null) {
                agent.close();
            }
            f.close();
        }
    }

    /** QoS 1, waiting while Paho counts too many of its own publishes in flight (it throws rather than waits). */
    static void publish(MqttClient client, String topic, byte[] payload, MqttProperties props) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(topic, new MqttMessage(payload, 1, false, props));
                return;
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt == 200) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    static byte[] order(String id) {
        return ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static String tail(String log) {
        return log.substring(Math.max(0, log.length() - 4000));
    }
}
