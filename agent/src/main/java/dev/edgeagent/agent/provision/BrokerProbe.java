package dev.edgeagent.agent.provision;

import dev.edgeagent.agent.control.MqttControlChannel;
import dev.edgeagent.protocol.net.HeldFailureSslSocket;
import dev.edgeagent.protocol.net.NoDelaySslSocketFactory;
import dev.edgeagent.protocol.net.PahoThreads;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Connects once, as the agent will (the device's client id, its certificate, the broker's name checked against
 * its certificate), then disconnects. The session is resumed, not started clean, and keeps the agent's expiry, so
 * orders already queued for the device on the broker stay queued.
 */
public final class BrokerProbe {
    private static final int TIMEOUT_SECONDS = 15;

    private BrokerProbe() {}

    public static void connect(ProvisionRequest r, SSLContext tls) {
        MqttClient client = null;
        // Paho's connect without its start-up sleeps, and without the thread a refused certificate left waiting
        PahoThreads threads = new PahoThreads("mqtt-probe-" + r.deviceId().value());
        try {
            client = new MqttClient(r.broker().toString(), r.deviceId().value(), new MemoryPersistence(), threads);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(false);
            options.setSessionExpiryInterval(MqttControlChannel.SESSION_EXPIRY_SECONDS);
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout(TIMEOUT_SECONDS);
            options.setSocketFactory(new NoDelaySslSocketFactory(tls.getSocketFactory(), HeldFailureSslSocket::new));
            options.setHttpsHostnameVerificationEnabled(true);
            client.connect(options);
            client.disconnect(5000);
        } catch (MqttException e) {
            throw new ProvisionException(ProvisionException.BROKER, "could not connect to " + r.broker() + " as " + r.deviceId()
                    + ": " + reason(e));
        } finally {
            if (client != null) {
                try {
                    client.close(true);
                } catch (MqttException e) {
                    // closing a client that never connected: nothing to release
                }
            }
            threads.shutdownNow();
        }
    }

    /** Paho's own message is often just "Unable to connect to server"; the cause says why. */
    private static String reason(Throwable e) {
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null && !out.toString().contains(c.getMessage())) {
                out.append(": ").append(c.getMessage());
            }
        }
        return out.toString();
    }
}
