import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * ping round trips (publish the order, signed with the operator key as edgectl signs it → reply on the response topic) against a running agent on loopback, then a
 * burst of read-only orders published at once, counting the replies.
 * Run by bench/ping-bench: java -cp edgectl/target/edgectl.jar bench/PingBench.java BROKER DEVICE PINGS BURST OPERATOR_KEY
 * (its password in $EDGE_KEY_PASSWORD)
 */
public class PingBench {
    public static void main(String[] args) throws Exception {
        String broker = args[0];
        String device = args[1];
        int pings = Integer.parseInt(args[2]);
        int burst = Integer.parseInt(args[3]);
        SigningKey operator = KeyPem.readPrivate(java.nio.file.Files.readString(java.nio.file.Path.of(args[4])),
                System.getenv("EDGE_KEY_PASSWORD").toCharArray());
        long[] sequence = {ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now())};
        java.util.function.BiFunction<String, String, byte[]> signed = (command, id) -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            byte[] order = ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
            return new SignedOrder(device, command, now, now.plusSeconds(600), ++sequence[0], order).signWith(List.of(operator)).toJson();
        };
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        MqttClient client = new MqttClient(broker, "ping-bench", new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            public void messageArrived(String topic, MqttMessage m) {
                String body = new String(m.getPayload(), StandardCharsets.UTF_8);
                int i = body.indexOf("\"id\":\"") + 6;
                String id = body.substring(i, body.indexOf('"', i));
                answered.add(id);
                replies.add(id);
            }
            public void disconnected(MqttDisconnectResponse r) {}
            public void mqttErrorOccurred(MqttException e) {}
            public void deliveryComplete(IMqttToken t) {}
            public void connectComplete(boolean reconnect, String uri) {}
            public void authPacketArrived(int code, MqttProperties p) {}
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setReceiveMaximum(2000);
        o.setSocketFactory(new dev.edgeagent.protocol.net.NoDelaySocketFactory());
        client.connect(o);
        client.subscribe("edge/" + device + "/reply/bench", 1); // replies go only under the device's reply namespace
        MqttProperties props = new MqttProperties();
        props.setResponseTopic("edge/" + device + "/reply/bench");
        String topic = "edge/" + device + "/cmd/ping";
        List<Double> rtts = new ArrayList<>();
        List<Double> signs = new ArrayList<>();
        for (int i = 0; i < pings + 20; i++) {
            String id = "rtt-" + i;
            long s = System.nanoTime();
            byte[] order = signed.apply("ping", id);
            long t = System.nanoTime();
            client.publish(topic, new MqttMessage(order, 1, false, props));
            String got;
            do {
                got = replies.poll(5, TimeUnit.SECONDS);
                if (got == null) {
                    throw new IllegalStateException("no reply to " + id);
                }
            } while (!got.equals(id));
            if (i >= 20) { // the first 20 warm both JVMs up
                rtts.add((System.nanoTime() - t) / 1e6);
                signs.add((t - s) / 1e6);
            }
        }
        rtts.sort(null);
        signs.sort(null);
        System.out.printf("ping round trip over %d signed orders, publish to reply: median %.2f ms, p95 %.2f ms, max %.2f ms (goal: median <= 5 ms)%n",
                rtts.size(), rtts.get(rtts.size() / 2), rtts.get((int) (rtts.size() * 0.95)), rtts.get(rtts.size() - 1));
        System.out.printf("  signing each order beforehand (the operator's side, not in the round trip): median %.2f ms, p95 %.2f ms%n",
                signs.get(signs.size() / 2), signs.get((int) (signs.size() * 0.95)));
        replies.clear();
        long t0 = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            String command = i % 2 == 0 ? "ping" : "list";
            client.publish("edge/" + device + "/cmd/" + command,
                    new MqttMessage(signed.apply(command, "burst-" + i), 1, false, props));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && answered.stream().filter(s -> s.startsWith("burst-")).count() < burst) {
            Thread.sleep(20);
        }
        long got = answered.stream().filter(s -> s.startsWith("burst-")).count();
        System.out.printf("burst of %d read-only orders (ping and list): %d answered in %.0f ms, %d lost%n", burst, got,
                (System.nanoTime() - t0) / 1e6, burst - got);
        client.disconnect();
        client.close();
    }
}
