package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.control.InputLimits;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.testkit.Tools;
import java.io.File;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A clean stop always finishes (issue 16): SIGTERM stops the agent within 5 s whatever the broker does — frozen (a
 * black hole that neither answers nor resets), gone, or dying at that moment — and the apps keep running.
 */
class ShutdownIT {
    static AgentFixture f;
    static Process agent;
    static TcpProxy proxy;
    static int launches;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("stopping");
        f.demo = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.destroyForcibly();
            agent = null;
        }
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** The packaged daemon in a JVM of its own (as CrashConsistencyIT starts it), its broker behind {@code broker}. */
    static Process launch(String broker) throws Exception {
        Path config = f.work.resolve("agent.json");
        Files.writeString(config, new String(Json.pretty(Map.of("deviceId", "stopping", "broker", broker,
                "root", f.work.resolve("root").toString(), "runtimeStateRoot", f.work.resolve("runc").toString(),
                "runtime", Tools.require("runc", "runc").toString(), "localSocket", f.work.resolve("agent.sock").toString(),
                "insecureRegistries", List.of(f.registry.host()), "trust", Map.of("allowUnsigned", true)))));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = f.work.resolve("agent.log");
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), "dev.edgeagent.agent.Main", "run",
                "--config", config.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(new File("/dev/null")).start();
        launches++;
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log)
                && Files.readString(log).split("connected to", -1).length > launches);
        return p;
    }

    /** Sends SIGTERM and returns how long the agent took to exit; fails past 5 s. */
    static long terminate(Process p) throws Exception {
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM
        boolean exited = p.waitFor(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(exited, "the agent was still running 5 s after SIGTERM");
        System.err.printf("agent exited %d ms after SIGTERM%n", millis);
        return millis;
    }

    @Test
    void aFrozenBrokerDoesNotHoldUpSigtermAndTheAppsKeepRunning() throws Exception {
        proxy = new TcpProxy(f.broker.port());
        agent = launch(proxy.uri());
        assertEquals(true, f.deploy("op-keep", "keep", f.demo, "").get("ok"));
        long pid = f.pidOf("keep-1");

        proxy.freeze();
        terminate(agent);
        agent = null;
        assertEquals(pid, f.pidOf("keep-1"), "the app runs on, untouched by the agent's stop");
        assertTrue(Files.readString(f.work.resolve("agent.log")).contains("did not answer the goodbye"));
    }

    @Test
    void aBrokerThatIsGoneDoesNotHoldUpSigterm() throws Exception {
        proxy = new TcpProxy(f.broker.port());
        agent = launch(proxy.uri());
        proxy.close(); // every connection reset, nothing listening
        Thread.sleep(300);
        terminate(agent);
        agent = null;
    }

    @Test
    void aBrokerDyingAtThatMomentDoesNotHoldUpSigterm() throws Exception {
        proxy = new TcpProxy(f.broker.port());
        agent = launch(proxy.uri());
        Thread dying = new Thread(proxy::close);
        dying.start();
        terminate(agent);
        agent = null;
        dying.join();
    }

    @Test
    void inProcessCloseReturnsWithinTheBoundAndConnectAskedForAMaximumPacketSize() throws Exception {
        proxy = new TcpProxy(f.broker.port());
        f.broker(URI.create(proxy.uri()));
        try {
            f.startAgent();
            assertEquals("pong", f.command("ping", "{\"id\":\"op-in-process\"}", "op-in-process").get("message"));
            assertEquals(InputLimits.forOrders(f.config.maxOrderBytes()).maxPacketBytes(), maximumPacketSize(proxy.firstBytesFromClient()),
                    "the agent's CONNECT tells the broker the largest packet it takes");
            assertEquals(10, connectProperty(proxy.firstBytesFromClient(), 0x21),
                    "and how many orders it takes in flight, so a burst waits at the broker, not on the agent's heap");

            proxy.freeze();
            long t0 = System.nanoTime();
            f.stopAgent();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.err.printf("Agent.close() returned %d ms after it was called, broker frozen%n", millis);
            assertTrue(millis < 5000, "Agent.close() took " + millis + " ms");
        } finally {
            f.broker(null);
        }
    }

    /** The Maximum Packet Size property (0x27) of an MQTT 5 CONNECT packet, or -1 when it has none. */
    static long maximumPacketSize(byte[] connect) {
        return connectProperty(connect, 0x27);
    }

    /** A numeric property of an MQTT 5 CONNECT packet, or -1 when it has none. */
    static long connectProperty(byte[] connect, int wanted) {
        ByteBuffer b = ByteBuffer.wrap(connect);
        assertEquals(0x10, b.get() & 0xF0, "a CONNECT packet");
        varint(b); // remaining length
        skipString(b); // protocol name
        assertEquals(5, b.get(), "MQTT 5");
        b.get(); // connect flags
        b.getShort(); // keep alive
        int end = varint(b);
        end += b.position();
        while (b.position() < end) {
            int id = b.get() & 0xFF;
            if (id == wanted && (id == 0x27 || id == 0x11)) {
                return b.getInt() & 0xFFFFFFFFL;
            }
            if (id == wanted && (id == 0x21 || id == 0x22)) {
                return b.getShort() & 0xFFFF;
            }
            switch (id) {
                case 0x27, 0x11 -> b.getInt(); // maximum packet size, session expiry
                case 0x21, 0x22 -> b.getShort(); // receive maximum, topic alias maximum
                case 0x17, 0x19 -> b.get(); // request problem / response information
                case 0x15, 0x16 -> skipString(b); // authentication method / data
                case 0x26 -> {
                    skipString(b); // user property: name, value
                    skipString(b);
                }
                default -> throw new AssertionError("unexpected CONNECT property " + id);
            }
        }
        return -1;
    }

    private static void skipString(ByteBuffer b) {
        int length = b.getShort() & 0xFFFF;
        b.position(b.position() + length);
    }

    private static int varint(ByteBuffer b) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int digit = b.get() & 0xFF;
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return value;
            }
        }
    }
}
