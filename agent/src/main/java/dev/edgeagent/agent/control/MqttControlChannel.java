package dev.edgeagent.agent.control;

import dev.edgeagent.protocol.Topics;
import dev.edgeagent.protocol.net.HeldFailureSslSocket;
import dev.edgeagent.protocol.net.NoDelaySocketFactory;
import dev.edgeagent.protocol.net.NoDelaySslSocketFactory;
import dev.edgeagent.protocol.net.PahoThreads;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.tinylog.Logger;

/**
 * The control plane over MQTT 5 (Paho). Client id = device id; a retained last will marks the device offline;
 * a persistent session keeps QoS 1 orders that arrive while the device is away.
 *
 * <p>One Paho client per connection: when the connection is lost the client is thrown away and a new one connects
 * (same id, same broker session). Paho's own automatic reconnect keeps the client's in-flight publishes and resends
 * them, but it has replaced their topic by an MQTT 5 topic alias of the lost connection; the broker knows no such
 * alias on the new one, calls it a protocol error and drops the connection, at every reconnect, for ever (issue 16).
 * What a lost client had in flight is not lost: a publish that got no PUBACK fails and goes to the outbox, and an
 * order that was not acknowledged is delivered again by the broker.
 */
public final class MqttControlChannel implements ControlChannel {

    /** Kept across disconnects, so orders sent while the device is away wait for it (also used by provision). */
    public static final long SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;
    /** How long a stop waits for the broker to take the goodbye. */
    static final java.time.Duration GOODBYE = java.time.Duration.ofSeconds(1);
    /**
     * How long a publish waits for the broker's acknowledgement before the message is queued in the outbox: a frozen
     * broker (one that neither answers nor resets) must not hold an operation up until the keep-alive notices.
     */
    static final long PUBLISH_WAIT_MILLIS = 10_000;
    /** Orders in flight from the broker at once: at most this many packets of the maximum size are on the heap. */
    static final int RECEIVE_MAXIMUM = 10;

    private final String brokerUri;
    private final Topics topics;
    /** The client of the current connection (or of the attempt under way); replaced at every reconnect. */
    private volatile MqttClient client;
    private MqttConnectionOptions options;
    private volatile boolean closing;
    /** Set while a reconnect loop runs, so a connection lost during it does not start a second one. */
    private final AtomicBoolean reconnecting = new AtomicBoolean();
    // Paho forbids blocking calls on its callback thread; reconnecting and resubscribing happen here.
    // one reconnect at a time; its thread ends 10 s after the last one, so a reconnected agent idles without it
    private final ExecutorService reconnects = idleEnding(new java.util.concurrent.ThreadPoolExecutor(1, 1, 10,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> new Thread(r, "mqtt-reconnect")));

    private static java.util.concurrent.ThreadPoolExecutor idleEnding(java.util.concurrent.ThreadPoolExecutor pool) {
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
    private final AtomicReference<byte[]> lastStatus = new AtomicReference<>();
    /** Events and replies published while the broker is away; the oldest go first when it overflows, counted. */
    private final Deque<Pending> outbox = new ArrayDeque<>();
    private final AtomicLong dropped = new AtomicLong();
    private final int outboxLimit;
    private final Optional<SSLContext> tls;

    private record Pending(String topic, byte[] payload, MqttProperties props) {}
    /** The threads of every client this channel makes (one per connection); see {@link PahoThreads}. */
    private final PahoThreads threads;
    private CommandHandler handler;

    public MqttControlChannel(String brokerUri, Topics topics) throws MqttException {
        this(brokerUri, topics, Optional.empty(), 1000);
    }

    private java.util.List<String> groups = java.util.List.of();

    private long maxPacketBytes = InputLimits.forOrders(65536).maxPacketBytes();

    /** Announced in CONNECT as the MQTT 5 Maximum Packet Size: the broker sends nothing larger (it drops it). */
    public MqttControlChannel limitInput(InputLimits limits) {
        this.maxPacketBytes = limits.maxPacketBytes();
        return this;
    }

    /** The groups whose desired state this device follows. */
    public MqttControlChannel followGroups(java.util.List<String> names) {
        this.groups = java.util.List.copyOf(names);
        return this;
    }

    /** {@code tls}: the context for an ssl:// broker (its CA, and the device's key for mutual TLS). */
    public MqttControlChannel(String brokerUri, Topics topics, Optional<SSLContext> tls, int outboxLimit) throws MqttException {
        this.outboxLimit = outboxLimit;
        this.tls = tls;
        this.brokerUri = brokerUri;
        this.topics = topics;
        this.threads = new PahoThreads("mqtt-" + topics.device().value());
        this.client = newClient();
    }

    private MqttClient newClient() throws MqttException {
        MqttClient c = new MqttClient(brokerUri, topics.device().value(), new MemoryPersistence(), threads);
        c.setTimeToWait(PUBLISH_WAIT_MILLIS);
        c.setCallback(new Callback(c));
        c.setManualAcks(true);
        return c;
    }

    @Override
    public void start(CommandHandler commandHandler) throws MqttException {
        this.handler = commandHandler;
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        // Not Paho's automatic reconnect: see the class comment; reconnect() does it with a fresh client.
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(30);
        options.setMaximumPacketSize(maxPacketBytes);
        // Orders are acknowledged once carried out; the broker holds the rest of a burst until these are. Without a
        // cap it sends every queued one at once, and a burst of large payloads fills the agent's heap (issue 12).
        options.setReceiveMaximum(RECEIVE_MAXIMUM);
        if (brokerUri.startsWith("ssl://")) {
            // orElseGet: the JDK's default context parses every certificate in cacerts (0.5 s, 2 MiB of live heap),
            // which a device with its own CA never needs (issue 12)
            SSLSocketFactory factory = tls.map(SSLContext::getSocketFactory).orElseGet(() -> (SSLSocketFactory) SSLSocketFactory.getDefault());
            options.setSocketFactory(new NoDelaySslSocketFactory(factory, HeldFailureSslSocket::new));
            options.setHttpsHostnameVerificationEnabled(true);
        } else {
            options.setSocketFactory(new NoDelaySocketFactory());
        }
        MqttMessage will = new MqttMessage("false".getBytes(StandardCharsets.UTF_8), 1, true, null);
        options.setWill(topics.online(), will);
        this.options = options;
        MqttClient c = client;
        c.connect(options);
        onConnected(c);
        Logger.info("connected to {} as {}", brokerUri, topics.device());
    }

    /**
     * Connects again after {@code lost} lost its connection, with a new client each attempt. A first retry drawn from
     * 1-5 s (then doubling to 60 s), so a fleet that lost its broker together does not come back in one burst.
     */
    private void reconnect(MqttClient lost) {
        discard(lost);
        long max = Long.getLong(RECONNECT_MAX_DELAY_PROPERTY, RECONNECT_MAX_DELAY_MILLIS);
        long delay = Math.min(max, 1000L * (1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(5)));
        try {
            while (!closing) {
                Thread.sleep(delay);
                delay = Math.min(delay * 2, max);
                MqttClient c;
                try {
                    c = newClient();
                } catch (MqttException e) {
                    Logger.warn("MQTT client for {} could not be made: {}", brokerUri, e.getMessage());
                    continue;
                }
                client = c; // before connecting, so that close() drops an attempt under way
                if (closing) {
                    discard(c);
                    return;
                }
                try {
                    c.connect(options);
                    onConnected(c);
                    Logger.info("reconnected to {}", brokerUri);
                    return;
                } catch (MqttException | RuntimeException e) {
                    Logger.warn("reconnect to {} failed: {}", brokerUri, e.getMessage());
                    discard(c);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } finally {
            reconnecting.set(false);
            MqttClient c = client;
            // lost again between onConnected and here: its callback saw the loop still running and left it to us
            if (!closing && !c.isConnected() && reconnecting.compareAndSet(false, true)) {
                submitReconnect(c);
            }
        }
    }

    static final long RECONNECT_MAX_DELAY_MILLIS = 60_000;
    /**
     * Caps every reconnect delay (milliseconds) below the fleet's 1-5 s / 60 s: only for BrokerRestartIT, whose broker
     * restarts every 3 s and would otherwise spend most of a short run in back-off.
     */
    public static final String RECONNECT_MAX_DELAY_PROPERTY = "edgeagent.mqtt.reconnectMaxDelayMillis";

    private void submitReconnect(MqttClient lost) {
        try {
            reconnects.submit(() -> reconnect(lost));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            reconnecting.set(false); // closing
        }
    }

    /** Drops a client and whatever it had in flight; never blocks on the broker. */
    private static void discard(MqttClient c) {
        try {
            c.disconnectForcibly(0, 0, false);
        } catch (MqttException | RuntimeException e) {
            // already disconnected
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            // already closed
        }
    }

    private void onConnected(MqttClient client) throws MqttException {
        client.subscribe(topics.allCommands(), 1);
        client.subscribe(topics.desired(), 1);
        client.subscribe(topics.trust(), 1);
        client.subscribe(topics.policy(), 1);
        for (String g : groups) {
            client.subscribe(Topics.groupPolicy(g), 1);
            client.subscribe(Topics.groupDesired(g), 1);
            client.subscribe(Topics.groupTrust(g), 1);
        }
        publish(client, topics.online(), "true".getBytes(StandardCharsets.UTF_8), 1, true, null);
        flushOutbox(client);
        byte[] status = lastStatus.get();
        if (status != null) {
            publish(client, topics.status(), status, 1, true, null);
        }
    }

    /** Events and replies lost because the outbox overflowed while the broker was away. */
    @Override
    public long dropped() {
        return dropped.get();
    }

    private void flushOutbox(MqttClient client) {
        while (true) {
            Pending p;
            synchronized (outbox) {
                p = outbox.pollFirst();
            }
            if (p == null) {
                return;
            }
            try {
                publishPatiently(client, p.topic(), p.payload(), 1, false, p.props());
            } catch (MqttException e) {
                synchronized (outbox) {
                    outbox.addFirst(p);
                }
                return;
            } catch (RuntimeException e) {
                // Paho refuses some messages outright (a topic it will not publish to): never again, so not kept.
                Logger.warn("dropped a message to {} that the MQTT client refused: {}", p.topic(), e.getMessage());
            }
        }
    }

    private void queue(String topic, byte[] payload, MqttProperties props) {
        synchronized (outbox) {
            outbox.addLast(new Pending(topic, payload, props));
            while (outbox.size() > outboxLimit) {
                outbox.pollFirst();
                dropped.incrementAndGet();
            }
        }
    }

    @Override
    public void reply(ReplyTo to, byte[] payload) {
        MqttProperties props = null;
        if (to.correlationData().isPresent()) {
            props = new MqttProperties();
            props.setCorrelationData(to.correlationData().get());
        }
        publishOrQueue(to.responseTopic().orElse(topics.reply()), payload, props);
    }

    @Override
    public void event(byte[] payload) {
        publishOrQueue(topics.events(), payload, null);
    }

    private void publishOrQueue(String topic, byte[] payload, MqttProperties props) {
        MqttClient client = this.client;
        if (client.isConnected()) {
            // What a failed publish left waiting goes first, on the connection it is on, not only at the next
            // reconnect: else one refused reply would hold every later one back for as long as the connection lasts.
            flushOutbox(client);
        }
        boolean earlierWaiting;
        synchronized (outbox) {
            earlierWaiting = !outbox.isEmpty();
        }
        if (!client.isConnected() || earlierWaiting) {
            queue(topic, payload, props); // keeps the order: nothing overtakes what waits
            return;
        }
        try {
            publishPatiently(client, topic, payload, 1, false, props);
        } catch (MqttException e) {
            queue(topic, payload, props);
        } catch (RuntimeException e) {
            Logger.warn("dropped a message to {} that the MQTT client refused: {}", topic, e.getMessage());
        }
    }

    @Override
    public void status(byte[] payload) {
        lastStatus.set(payload);
        MqttClient client = this.client;
        if (client.isConnected()) {
            publish(client, topics.status(), payload, 1, true, null); // else: republished, newest only, on reconnect
        }
    }

    private static void publish(MqttClient client, String topic, byte[] payload, int qos, boolean retained, MqttProperties props) {
        try {
            publishPatiently(client, topic, payload, qos, retained, props);
        } catch (MqttException | RuntimeException e) {
            // Status is republished on reconnect; replies and events lost while offline are logged (queueing: issue 5).
            Logger.warn("publish to {} failed: {}", topic, e.getMessage());
        }
    }

    /**
     * Publishes, waiting while Paho counts too many of its own publishes unacknowledged: it refuses such a publish at
     * once ({@code REASON_CODE_MAX_INFLIGHT}) rather than wait. In a flood of orders the agent's replies met that
     * refusal, and each refused reply waited in the outbox (FloodIT, on a loaded host). Gives up after the
     * publish timeout, as a publish that waits for its acknowledgement does.
     */
    private static void publishPatiently(MqttClient client, String topic, byte[] payload, int qos, boolean retained,
            MqttProperties props) throws MqttException {
        long deadline = System.nanoTime() + PUBLISH_WAIT_MILLIS * 1_000_000L;
        while (true) {
            try {
                client.publish(topic, new MqttMessage(payload, qos, retained, props));
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Says goodbye (online=false, DISCONNECT) when the broker answers within {@link #GOODBYE}, else drops the
     * connection: a broker that is gone, dying or frozen never holds the agent's stop up (issue 16). Returns within
     * about {@code GOODBYE} plus a moment, whatever the broker does.
     */
    @Override
    public void close() {
        closing = true;
        reconnects.shutdownNow();
        MqttClient client = this.client;
        Thread goodbye = new Thread(() -> {
            try {
                if (client.isConnected()) {
                    publish(client, topics.online(), "false".getBytes(StandardCharsets.UTF_8), 1, true, null);
                    client.disconnect(0);
                }
            } catch (MqttException | RuntimeException e) {
                Logger.warn("MQTT disconnect: {}", e.getMessage());
            }
        }, "mqtt-goodbye");
        goodbye.setDaemon(true);
        goodbye.start();
        try {
            goodbye.join(GOODBYE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (goodbye.isAlive()) {
            Logger.warn("the broker did not answer the goodbye within {}; dropping the connection (it publishes the will)", GOODBYE);
        }
        try {
            client.disconnectForcibly(0, 0, false); // no wait: the socket is closed, blocked calls fail
        } catch (MqttException | RuntimeException e) {
            // already disconnected: nothing to drop
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            Logger.warn("MQTT close: {}", e.getMessage());
        }
        threads.shutdownNow(); // the pings' scheduler; the loops' threads ended with the client
    }

    /** The callback of one client, that is of one connection. */
    private final class Callback implements MqttCallback {
        private final MqttClient connection;

        Callback(MqttClient connection) {
            this.connection = connection;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            String name = topics.commandName(topic);
            if (topic.equals(topics.desired()) || groups.stream().anyMatch(g -> topic.equals(Topics.groupDesired(g)))) {
                name = CommandDispatcher.DESIRED;
            }
            if (topic.equals(topics.trust()) || groups.stream().anyMatch(g -> topic.equals(Topics.groupTrust(g)))) {
                name = CommandDispatcher.TRUST;
            }
            if (topic.equals(topics.policy()) || groups.stream().anyMatch(g -> topic.equals(Topics.groupPolicy(g)))) {
                name = CommandDispatcher.POLICY;
            }
            if (name == null) {
                return;
            }
            MqttProperties p = message.getProperties();
            ReplyTo replyTo = ResponseTopics.replyTo(topics, p == null ? null : p.getResponseTopic(), p == null ? null : p.getCorrelationData());
            byte[] payload = message.getPayload();
            int id = message.getId();
            int qos = message.getQos();
            // The ack goes on the connection the order came on, or not at all: once that connection is gone the
            // broker delivers the order again (DUP) on the next, where the order log answers it from its record
            // without doing it twice, and that delivery is acknowledged.
            Runnable done = () -> {
                if (connection != client || !connection.isConnected()) {
                    Logger.info("order on {} done after its connection was lost: not acknowledged, the broker delivers it again", topic);
                    return;
                }
                try {
                    connection.messageArrivedComplete(id, qos);
                } catch (MqttException e) {
                    Logger.warn("acknowledging {} failed (the broker will deliver it again): {}", topic, e.getMessage());
                }
            };
            try {
                handler.onCommand(name, payload, replyTo, done);
            } catch (RuntimeException e) {
                Logger.error(e, "command {} could not be queued", name);
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            Logger.warn("disconnected from broker: {}", response.getReasonString());
            if (connection == client && !closing && reconnecting.compareAndSet(false, true)) {
                submitReconnect(connection);
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            Logger.warn("MQTT error: {}", exception.getMessage());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }
}
