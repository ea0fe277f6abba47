package dev.edgeagent.agent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edgeagent.protocol.HealthProbe;
import dev.edgeagent.runtime.ContainerId;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** TCP and HTTP probes against real sockets on loopback (the exec probe runs in DeployEndToEndIT, through runc). */
class HealthCheckTest {
    final ContainerId id = new ContainerId("app-2");
    final HealthCheck check = new HealthCheck(null);

    @Test
    void aTcpProbePassesOnceSomethingListens() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            HealthCheck.Verdict v = check.run(id, 1, Optional.of(new HealthProbe.Tcp(s.getLocalPort())), () -> true);
            assertTrue(v.passed(), v.reason());
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        HealthCheck.Verdict v = check.run(id, 1, Optional.of(new HealthProbe.Tcp(closed)), () -> true);
        assertFalse(v.passed());
        assertTrue(v.reason().contains("did not pass its TCP probe on port " + closed), v.reason());
    }

    @Test
    void anHttpProbeWantsASuccessAndKeepsTryingWithinTheGracePeriod() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/health", ex -> {
            int status = calls.incrementAndGet() < 2 ? 503 : 204; // not ready at first, then ready
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            HealthCheck.Verdict ok = check.run(id, 3, Optional.of(new HealthProbe.Http(port, "/health")), () -> true);
            assertTrue(ok.passed(), ok.reason());
            assertEquals(2, calls.get(), "stops probing once it passed");
            HealthCheck.Verdict broken = check.run(id, 2, Optional.of(new HealthProbe.Http(port, "/broken")), () -> true);
            assertFalse(broken.passed());
            assertTrue(broken.reason().contains("HTTP 500"), broken.reason());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anAppThatStopsFailsWhateverTheProbe() {
        HealthCheck.Verdict v = check.run(id, 2, Optional.empty(), () -> false);
        assertFalse(v.passed());
        assertTrue(v.reason().startsWith("stopped within its 2 s"), v.reason());
    }
}
