package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same commands over the root-only Unix socket, with the broker out of the picture. */
class LocalSocketIT {
    static AgentFixture f;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        f = AgentFixture.withDemo("local", java.util.List.of());
        image = f.demo;
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static Map<String, Object> local(String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(f.config.localSocket()));
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (c.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return Json.object(out.toByteArray());
        }
    }

    @Test
    void onlyRootCanOpenIt() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.config.localSocket())));
        assertEquals(0, Files.getAttribute(f.config.localSocket(), "unix:uid"));
    }

    @Test
    void commandsWorkWithoutTheBroker() throws Exception {
        f.stopBroker();
        try {
            assertEquals("pong", local("{\"command\":\"ping\",\"order\":{\"id\":\"l-ping\"}}").get("message"));
            Map<String, Object> deployed = local("{\"command\":\"deploy\",\"order\":{\"id\":\"l-deploy\",\"app\":\"onsite\",\"image\":\""
                    + image + "\",\"restart\":\"no\"}}");
            assertEquals(true, deployed.get("ok"), deployed.toString());
            f.lines("onsite", "report: end", 1);
            Map<String, Object> stopped = local("{\"command\":\"stop\",\"order\":{\"id\":\"l-stop\",\"app\":\"onsite\"}}");
            assertEquals(true, stopped.get("ok"), stopped.toString());
            Map<String, Object> bad = local("{\"command\":\"stop\"}");
            assertEquals("BAD_REQUEST", bad.get("code"));
            assertTrue(String.valueOf(bad.get("message")).contains("'order' is missing"));
            assertEquals("UNKNOWN_COMMAND", local("{\"command\":\"format-disk\",\"order\":{\"id\":\"l-x\"}}").get("code"));
            local("{\"command\":\"remove\",\"order\":{\"id\":\"l-rm\",\"app\":\"onsite\"}}");
        } finally {
            f.startBroker();
        }
    }
}
