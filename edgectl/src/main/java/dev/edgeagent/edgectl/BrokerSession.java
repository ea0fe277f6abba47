package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
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

/** A short MQTT session for one CLI command: messages on subscribed topics queue up for the command to read. */
final class BrokerSession implements AutoCloseable {
    record Received(String topic, MqttMessage message) {}

    private final MqttClient client;
    /** Paho's threads, without the 300 ms its connect sleeps on its own (see PahoThreads): a third of a command's time. */
    private final dev.edgeagent.protocol.net.PahoThreads threads = new dev.edgeagent.protocol.net.PahoThreads("edgectl-mqtt");
    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final String clientId = "edgectl-" + UUID.randomUUID();
    private final java.util.Set<String> subscribedReplies = java.util.concurrent.ConcurrentHashMap.newKeySet();

    BrokerSession(String broker) throws MqttException {
        client = new MqttClient(broker, clientId, new MemoryPersistence(), threads);
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                inbox.add(new Received(topic, message));
            }

            @Override
            public void disconnected(MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void deliveryComplete(IMqttToken t) {}

            @Override
            public void connectComplete(boolean reconnect, String uri) {}

            @Override
            public void authPacketArrived(int code, MqttProperties p) {}
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setConnectionTimeout(10);
        if (broker.startsWith("tcp://")) {
            options.setSocketFactory(new dev.edgeagent.protocol.net.NoDelaySocketFactory());
        }
        try {
            client.connect(options);
        } catch (MqttException | RuntimeException e) {
            threads.shutdownNow(); // no session to close: its threads go now
            throw e;
        }
    }

    String clientId() {
        return clientId;
    }

    /** Whether a message came on one of this session's reply topics. */
    boolean isReply(String topic) {
        return subscribedReplies.contains(topic);
    }

    void subscribe(String topic) throws MqttException {
        client.subscribe(topic, 1);
    }

    void publish(String topic, byte[] payload, MqttProperties props) throws MqttException {
        client.publish(topic, new MqttMessage(payload, 1, false, props));
    }

    /**
     * Publishes an order to {@code device} with an MQTT 5 response topic of this session's own, under the device's
     * reply namespace ({@code edge/{device}/reply/{clientId}}, the only place an agent sends replies), and the order
     * id as correlation data.
     */
    void sendOrder(DeviceId device, String command, byte[] payload, String orderId) throws MqttException {
        Topics topics = new Topics(device);
        String replyTopic = topics.replyFor(clientId);
        if (subscribedReplies.add(replyTopic)) {
            subscribe(replyTopic);
        }
        String topic = topics.command(command);
        MqttProperties props = new MqttProperties();
        props.setResponseTopic(replyTopic);
        props.setCorrelationData(orderId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        publish(topic, payload, props);
    }

    void publishRetained(String topic, byte[] payload) throws MqttException {
        client.publish(topic, new MqttMessage(payload, 1, true, null));
    }

    /** The next message, or null when none came within the timeout. */
    Received next(long timeoutMillis) throws InterruptedException {
        return inbox.poll(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2000);
            }
            client.close();
        } catch (MqttException e) {
            // closing: nothing left to tell the user
        } finally {
            threads.shutdownNow();
        }
    }
}
