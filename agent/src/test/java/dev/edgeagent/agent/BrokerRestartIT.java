package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real mosquitto, persistence on, stopped (SIGTERM: it saves its sessions) and started again every few seconds
 * while an operator sends restart orders. A restart is not idempotent: each one carried out starts the app once more,
 * and the app writes "report: begin" at each start, so its log counts the orders done. The operator acts as one
 * must over MQTT: it publishes each order with QoS 1 (again while the broker is away), and publishes it again, same
 * id, when its effect has not shown within 20 s (the broker may drop a queued message, or the reply may be lost).
 * Exactly one start per order: none lost, none done twice (a repeated order is answered from the order log).
 * Counts: {@code -Dedgeagent.brokerRestartOrders} (60 in the suite) and {@code -Dedgeagent.brokerRestartEverySeconds}
 * (3); bench/broker-restarts runs it longer (1,000 with a restart every 10 s by default).
 *
 * <p>Before issue 16's fix, after a few restarts each reconnect of the agent ended in "disconnected due to protocol
 * error" (mosquitto 2.0.11): Paho resent an in-flight reply with a topic alias of the lost connection, and the agent
 * heard no order any more. See docs/reliability.md.
 */
class BrokerRestartIT {
    static AgentFixture f;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        // The agent runs in this JVM. Reconnect within 1 s: with the fleet's back-off (1-5 s, doubling to 60 s after
        // an attempt that met the broker going down) a short run spends most of its time waiting. The bench keeps it.
        if (!Boolean.getBoolean("edgeagent.brokerRestartFleetBackoff")) {
            System.setProperty(dev.edgeagent.agent.control.MqttControlChannel.RECONNECT_MAX_DELAY_PROPERTY, "1000");
        }
        f = new AgentFixture("restarts");
        // Stops at once on SIGTERM (the demo sets its trap only after its report, so an early restart waits 10 s).
        image = TestImages.push(f, "counter", List.of("/bin/sh", "-c",
                "trap 'exit 0' TERM; echo 'report: begin'; while true; do sleep 1 & wait $!; done"), null);
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty(dev.edgeagent.agent.control.MqttControlChannel.RECONNECT_MAX_DELAY_PROPERTY);
        if (f != null) {
            System.out.println("broker log (last start):\n" + f.broker.output());
            f.close();
        }
    }

    @Test
    void everyOrderIsDoneExactlyOnceWhileTheBrokerKeepsRestarting() throws Exception {
        int orders = Integer.getInteger("edgeagent.brokerRestartOrders", 60);
        long every = Long.getLong("edgeagent.brokerRestartEverySeconds", 3) * 1000;
        assertEquals(true, f.deploy("op-restarts-0", "counted", image, "").get("ok"));
        awaitStarts(1, 30);

        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger restarts = new AtomicInteger();
        Thread restarter = new Thread(() -> {
            try {
                while (publishing.get()) {
                    Thread.sleep(every);
                    f.stopBroker(); // SIGTERM: mosquitto saves its sessions and queued messages to disk
                    f.startBroker();
                    restarts.incrementAndGet();
                }
            } catch (Exception e) {
                e.printStackTrace();
                throw new IllegalStateException(e);
            }
        }, "broker-restarter");
        long began = System.nanoTime();
        restarter.start();
        int republished = 0;
        int resent = 0;
        try {
            for (int i = 1; i <= orders; i++) {
                String id = "op-restart-" + i;
                List<String> pub = List.of(Tools.require("mosquitto_pub", "mosquitto-clients").toString(), "-V", "5", "-h", "127.0.0.1",
                        "-p", Integer.toString(f.broker.port()), "-q", "1", "-t", "edge/restarts/cmd/restart",
                        "-m", "{\"id\":\"" + id + "\",\"app\":\"counted\"}");
                for (int attempt = 1; ; attempt++) {
                    // Published again until the broker acknowledges it (mosquitto_pub exits 0 only after its PUBACK).
                    while (Tools.run(pub, 30).exit() != 0) {
                        republished++;
                        assertTrue(restarter.isAlive() || republished < 600, "the broker did not come back");
                        Thread.sleep(100);
                    }
                    if (seenWithin(1 + i, 20)) {
                        break;
                    }
                    if (attempt >= 10) {
                        throw new AssertionError("order " + i + " had no effect after " + attempt + " publishes; " + diagnosis(id));
                    }
                    resent++;
                }
            }
        } finally {
            publishing.set(false);
            restarter.join();
        }
        Thread.sleep(3000); // a late redelivery would start the app once more
        int starts = starts();
        double seconds = (System.nanoTime() - began) / 1e9;
        System.out.printf("broker restarts: %d orders in %.0f s, %d broker restarts, %d publishes repeated while the broker was"
                + " away, %d orders sent again for want of an effect; %d orders done (lost %d, done twice %d)%n", orders, seconds,
                restarts.get(), republished, resent, starts - 1, Math.max(0, orders - (starts - 1)), Math.max(0, starts - 1 - orders));
        assertEquals(1 + orders, starts, "one start per order: none lost, none done twice");
        assertTrue(restarts.get() > 0, "the broker was restarted");
    }

    /** What the device recorded of an order that shows no effect, and what the app's log and the runtime say. */
    private static String diagnosis(String id) throws Exception {
        Path orders = f.config.root().resolve("state/orders.json");
        String record = Files.exists(orders) ? Files.readString(orders) : "";
        int at = record.indexOf("\"" + id + "\"");
        String log = Files.exists(f.log("counted")) ? Files.readString(f.log("counted")) : "(no log)";
        return "its recorded reply: " + (at < 0 ? "none" : record.substring(at, Math.min(record.length(), at + 600)))
                + "; the app's log has " + starts() + " starts, ends with: " + log.substring(Math.max(0, log.length() - 300))
                + "; containers: " + f.containers();
    }

    private static boolean seenWithin(int n, long seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (starts() >= n) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static int starts() throws Exception {
        Path log = f.log("counted");
        return Files.exists(log) ? Files.readString(log).split(Pattern.quote("report: begin"), -1).length - 1 : 0;
    }

    private static void awaitStarts(int n, long seconds) {
        Awaitility.await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(500)).until(() -> starts() >= n);
    }
}
