import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.tls.PemTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * The load half of bench/footprint: over mutual TLS, a burst of signed read-only orders (ping and list, each
 * answered on a response topic) and then malformed payloads of up to 2 MiB each (random bytes, truncated JSON,
 * envelopes with garbage signatures, one huge JSON string), published as fast as the broker takes them.
 * java -cp edgectl/target/edgectl.jar bench/FootprintBench.java BROKER DEVICE CA CERT KEY OPERATOR_KEY ORDERS MALFORMED
 * (the operator key's password in $EDGE_KEY_PASSWORD)
 */
public class FootprintBench {
    public static void main(String[] args) throws Exception {
        String broker = args[0];
        String device = args[1];
        Path ca = Path.of(args[2]);
        Path cert = Path.of(args[3]);
        Path key = Path.of(args[4]);
        SigningKey operator = KeyPem.readPrivate(Files.readString(Path.of(args[5])), System.getenv("EDGE_KEY_PASSWORD").toCharArray());
        int orders = Integer.parseInt(args[6]);
        int malformed = Integer.parseInt(args[7]);

        Set<String> answered = ConcurrentHashMap.newKeySet();
        MqttClient client = new MqttClient(broker, "footprint-bench", new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            public void messageArrived(String topic, MqttMessage m) {
                String body = new String(m.getPayload(), StandardCharsets.UTF_8);
                int i = body.indexOf("\"id\":\"");
                if (i >= 0) {
                    answered.add(body.substring(i + 6, body.indexOf('"', i + 6)));
                }
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
        o.setSocketFactory(PemTls.context(ca, Optional.of(cert), Optional.of(key)).getSocketFactory());
        client.connect(o);
        client.subscribe("edge/" + device + "/reply/bench", 1); // replies go only under the device's reply namespace
        MqttProperties props = new MqttProperties();
        props.setResponseTopic("edge/" + device + "/reply/bench");

        long t0 = System.nanoTime();
        long sequence = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        for (int i = 0; i < orders; i++) {
            String command = i % 2 == 0 ? "ping" : "list";
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            byte[] order = ("{\"id\":\"burst-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
            byte[] wire = new SignedOrder(device, command, now, now.plusSeconds(600), ++sequence, order).signWith(List.of(operator)).toJson();
            client.publish("edge/" + device + "/cmd/" + command, new MqttMessage(wire, 1, false, props));
        }
        Random random = new Random(12);
        long malformedBytes = 0;
        for (int i = 0; i < malformed; i++) {
            int size = i == 0 ? 2 << 20 : 1 + random.nextInt(2 << 20);
            byte[] p = new byte[size];
            switch (i % 4) {
                case 0 -> random.nextBytes(p);
                case 1 -> { // an unterminated JSON string
                    java.util.Arrays.fill(p, (byte) 'a');
                    System.arraycopy("{\"id\":\"".getBytes(StandardCharsets.US_ASCII), 0, p, 0, 7);
                }
                case 2 -> { // deeply nested arrays
                    java.util.Arrays.fill(p, (byte) '[');
                }
                default -> { // an envelope shape with garbage in it
                    java.util.Arrays.fill(p, (byte) ' ');
                    byte[] head = "{\"payloadType\":\"application/vnd.edgeagent.order.v1+json\",\"payload\":\"".getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(head, 0, p, 0, head.length);
                    for (int j = head.length; j < p.length - 2; j++) {
                        p[j] = (byte) ('A' + random.nextInt(26));
                    }
                    p[p.length - 2] = '"';
                    p[p.length - 1] = '}';
                }
            }
            malformedBytes += size;
            String command = i % 3 == 0 ? "deploy" : "ping";
            client.publish("edge/" + device + "/cmd/" + command, new MqttMessage(p, 1, false, props));
        }
        long sent = System.nanoTime();
        long deadline = sent + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && answered.stream().filter(s -> s.startsWith("burst-")).count() < orders) {
            Thread.sleep(20);
        }
        long got = answered.stream().filter(s -> s.startsWith("burst-")).count();
        System.out.printf("burst: %d signed orders and %d malformed payloads (%.0f MiB) published in %.0f ms; %d of the orders answered in %.0f ms%n",
                orders, malformed, malformedBytes / 1048576.0, (sent - t0) / 1e6, got, (System.nanoTime() - t0) / 1e6);
        client.disconnect();
        client.close();
    }
}
