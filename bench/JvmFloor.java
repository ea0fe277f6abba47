import dev.edgeagent.security.tls.PemTls;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/**
 * The floor bench/footprint's FOOTPRINT_FLOOR run sets beside the agent: the least a JVM doing the agent's idle job
 * holds, under the same flags. Each mode idles for ever once it is there and prints "ready" then.
 * <ul>
 *   <li>{@code sleep}: a bare JVM, nothing loaded beyond the launcher's own classes;</li>
 *   <li>{@code tls}: one MQTT 5 session over mutual TLS 1.3 with the JDK alone (CONNECT written by hand, the
 *   keep-alive pinged by the main thread): what any JVM agent with a TLS broker connection pays;</li>
 *   <li>{@code paho}: the same session through Paho's v5 client as shipped (its own threads), subscribed to one
 *   topic: the floor of a JVM agent built on Paho.</li>
 * </ul>
 * java -cp CLASSES:edgectl/target/edgectl.jar JvmFloor MODE [BROKER CA CERT KEY]
 */
public class JvmFloor {
    private static final int KEEP_ALIVE_SECONDS = 30;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sleep" -> {
                System.out.println("ready");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "tls" -> rawSession(URI.create(args[1]), tls(args));
            case "paho" -> pahoSession(args[1], tls(args));
            default -> throw new IllegalArgumentException("mode: sleep, tls or paho");
        }
    }

    private static SSLContext tls(String[] args) throws Exception {
        return PemTls.context(Path.of(args[2]), Optional.of(Path.of(args[3])), Optional.of(Path.of(args[4])));
    }

    private static void rawSession(URI broker, SSLContext tls) throws Exception {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(broker.getHost(), broker.getPort())) {
            SSLParameters checks = socket.getSSLParameters();
            checks.setEndpointIdentificationAlgorithm("HTTPS"); // the server's name checked, as the agent does
            socket.setSSLParameters(checks);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(connect("floor-tls"));
            out.flush();
            if (in.readUnsignedByte() != 0x20) {
                throw new IOException("no CONNACK");
            }
            System.out.println("ready");
            while (true) {
                Thread.sleep(KEEP_ALIVE_SECONDS * 1000L);
                out.write(new byte[] {(byte) 0xC0, 0}); // PINGREQ; the PINGRESPs pile up unread in the socket
                out.flush();
            }
        }
    }

    /** MQTT 5 CONNECT: clean start, the keep-alive above, no properties, the client id. */
    private static byte[] connect(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, (byte) KEEP_ALIVE_SECONDS, 0};
        int remaining = variable.length + 2 + id.length;
        byte[] packet = new byte[2 + remaining];
        packet[0] = 0x10;
        packet[1] = (byte) remaining;
        System.arraycopy(variable, 0, packet, 2, variable.length);
        packet[2 + variable.length] = 0;
        packet[3 + variable.length] = (byte) id.length;
        System.arraycopy(id, 0, packet, 4 + variable.length, id.length);
        return packet;
    }

    private static void pahoSession(String broker, SSLContext tls) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker, "floor-paho", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(tls.getSocketFactory());
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        client.connect(options).waitForCompletion(30_000);
        client.subscribe("floor/cmd/#", 1).waitForCompletion(30_000);
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }
}
