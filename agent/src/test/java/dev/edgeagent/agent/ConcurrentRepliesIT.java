package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgeagent.agent.control.MqttControlChannel;
import dev.edgeagent.agent.control.ReplyTo;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.testkit.Mosquitto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * Replies from several threads at once, as the agent's query and operation threads answer a flood. Paho refuses a
 * publish outright while it counts too many of its own in flight, and it counts late: three threads publishing one
 * at a time met that refusal on a third of their publishes. The channel used to queue a refused reply for the next
 * reconnect, and every later reply behind it: the agent went mute on a connection that was fine (FloodIT, in CI).
 */
class ConcurrentRepliesIT {
    static final int THREADS = 3;
    static final int EACH = 2000;

    @Test
    void everyReplyFromConcurrentThreadsArrivesOnTheSameConnection() throws Exception {
        Path dir = Files.createTempDirectory("edgeagent-replies");
        Mosquitto broker = Mosquitto.start(dir);
        MqttControlChannel channel = null;
        MqttClient listener = null;
        try {
            Set<String> received = ConcurrentHashMap.newKeySet();
            listener = new MqttClient(broker.uri(), "replies-listener", new MemoryPersistence());
            listener.setCallback((OnMessage) (topic, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            listener.connect(new MqttConnectionOptions());
            listener.subscribe("edge/replies/reply/#", 1);
            channel = new MqttControlChannel(broker.uri(), new Topics(new DeviceId("replies")), Optional.empty(), 1000);
            channel.start((name, payload, replyTo, done) -> done.run());
            MqttControlChannel c = channel;
            ReplyTo to = new ReplyTo(Optional.of("edge/replies/reply/t"), Optional.empty());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < EACH; i++) {
                        c.reply(to, (thread + "-" + i).getBytes(StandardCharsets.UTF_8));
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == THREADS * EACH);
            assertEquals(0, channel.dropped());
        } finally {
            if (listener != null) {
                listener.disconnect();
                listener.close();
            }
            if (channel != null) {
                channel.close();
            }
            broker.close();
            dev.edgeagent.security.fs.Trees.deleteRecursively(dir);
        }
    }
}
