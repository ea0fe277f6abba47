package dev.edgeagent.agent;

import dev.edgeagent.testkit.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** mosquitto_pub and mosquitto_sub: a client outside the JVM, speaking MQTT 5 to the real broker. */
final class MqttCli {
    private final int port;

    MqttCli(int port) {
        this.port = port;
    }

    /** Publishes a retained message with QoS 1, as an operator publishes a desired state. */
    void publishRetained(String topic, String payload) throws Exception {
        Tools.run(List.of(Tools.require("mosquitto_pub", "mosquitto-clients").toString(), "-V", "5", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-q", "1", "-r", "-t", topic, "-m", payload), 30).orThrow("mosquitto_pub -r");
    }

    /** Publishes with QoS 1; with a response topic and correlation data when given. */
    void publish(String topic, String payload, String responseTopic, String correlation) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.require("mosquitto_pub", "mosquitto-clients").toString(),
                "-V", "5", "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "1", "-t", topic, "-m", payload));
        if (responseTopic != null && correlation != null) {
            cmd.addAll(List.of("-D", "publish", "response-topic", responseTopic, "-D", "publish", "correlation-data", correlation));
        }
        Tools.run(cmd, 30).orThrow("mosquitto_pub");
    }

    /**
     * A mosquitto_sub with a persistent session under {@code clientId}: QoS 1 messages sent while it or the broker
     * was away reach it when both are back.
     */
    Subscription subscribePersistent(String topic, String clientId) throws Exception {
        return new Subscription(List.of("stdbuf", "-oL", Tools.require("mosquitto_sub", "mosquitto-clients").toString(), "-V", "5",
                "-d", "-c", "-i", clientId, "-x", "3600", "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "1", "-t", topic,
                "-F", "MSG %p"));
    }

    /** A running mosquitto_sub; its messages (payloads, one per line) queue up until read. */
    Subscription subscribe(String topic) throws Exception {
        // stdbuf: mosquitto_sub block-buffers its output into a pipe, which would hide messages until exit.
        return new Subscription(List.of("stdbuf", "-oL", Tools.require("mosquitto_sub", "mosquitto-clients").toString(), "-V", "5", "-d",
                "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "1", "-t", topic, "-F", "MSG %p"));
    }

    static final class Subscription implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

        Subscription(List<String> cmd) throws Exception {
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BlockingQueue<String> subacked = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("MSG ")) {
                            messages.add(line.substring(4));
                        } else if (line.contains("SUBACK")) {
                            subacked.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process was stopped
                }
            });
            reader.setDaemon(true);
            reader.start();
            if (subacked.poll(10, TimeUnit.SECONDS) == null) {
                process.destroyForcibly();
                throw new IllegalStateException("mosquitto_sub did not subscribe within 10 s");
            }
        }

        /** The next message whose text contains {@code needle}, skipping others; fails after the timeout. */
        String next(String needle, long timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                String m = messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError("no message containing '" + needle + "' within " + timeoutSeconds + " s");
                }
                if (m.contains(needle)) {
                    return m;
                }
            }
        }

        /** Every message that came so far, after waiting {@code millis} for stragglers. */
        List<String> drain(long millis) throws InterruptedException {
            Thread.sleep(millis);
            List<String> all = new ArrayList<>();
            messages.drainTo(all);
            return all;
        }

        @Override
        public void close() {
            process.destroy();
        }
    }
}
