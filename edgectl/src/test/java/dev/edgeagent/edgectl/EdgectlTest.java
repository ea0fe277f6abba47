package dev.edgeagent.edgectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgectlTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @Test
    void sizesReadLikeAPersonWritesThem() {
        assertEquals(64L << 20, ByteSize.parse("64m"));
        assertEquals(1L << 30, ByteSize.parse("1G"));
        assertEquals(524288, ByteSize.parse("524288"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots"));
    }

    @Test
    void usageErrorsExitTwoAndSayWhat() {
        assertEquals(2, run("deploy", "--device", "d1", "--app", "demo"));
        assertTrue(err.toString().contains("--image is required"), err.toString());
        assertEquals(2, run("deploy", "--device", "d1", "--app", "demo", "--image", "busybox:latest"));
        assertTrue(err.toString().contains("not pinned by digest"), err.toString());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("stop", "--device", "d1", "--app", "demo", "--colour", "red"));
        assertTrue(err.toString().contains("unknown option '--colour'"));
        assertEquals(4, err.toString().lines().count(), "one line per usage error (4 runs), not the usage block: " + err);
        assertEquals(2, run("sign-image", "r.example/x:1", "--key", "build.key", "--format", "notation"));
        assertTrue(err.toString().contains("--format is bundle"), err.toString());
    }

    @Test
    void networkFlagsMakeABridgeOrder() throws Exception {
        dev.edgeagent.protocol.AppNetwork n = Main.network(new Args(List.of("--network", "bridge", "--net", "plant", "--publish", "8080:80",
                "--publish", "127.0.0.1:8443:443", "--egress", "192.0.2.10/32:1883"), List.of("--network", "--net", "--publish", "--egress"), List.of()));
        assertEquals(dev.edgeagent.protocol.NetworkMode.BRIDGE, n.mode());
        assertEquals(List.of("plant"), n.networks());
        assertEquals(List.of(new dev.edgeagent.protocol.PortMapping(8080, 80, "tcp", "0.0.0.0"),
                new dev.edgeagent.protocol.PortMapping(8443, 443, "tcp", "127.0.0.1")), n.ports());
        assertEquals(List.of("192.0.2.10/32:1883"), n.egress());
        assertEquals(2, run("deploy", "--device", "d1", "--app", "demo", "--image", "r/x@sha256:" + "a".repeat(64), "--publish", "80"));
        assertTrue(err.toString().contains("a published port must look like"), err.toString());
        assertEquals(2, run("deploy", "--device", "d1", "--app", "demo", "--image", "r/x@sha256:" + "a".repeat(64), "--network", "host",
                "--net", "plant"));
        assertTrue(err.toString().contains("need \"network\": \"bridge\""), err.toString());
    }

    @Test
    void aMissingLocalSocketExitsThree() {
        assertEquals(3, run("ping", "--local", "--socket", "/nonexistent/edgeagent.sock"));
        assertTrue(err.toString().contains("cannot reach the agent's local socket"), err.toString());
    }

    @Test
    void progressIsABar() {
        assertEquals("[###############...............]  50%", EventView.bar(50));
        assertEquals("[..............................]   0%", EventView.bar(-3));
        String line = EventView.line(Map.of("type", "pull.progress", "app", "demo", "op", "op-1", "percent", 100, "blobs", 2, "of", 2));
        assertTrue(line.contains("[##############################] 100%") && line.contains("2/2 blobs"), line);
        assertTrue(EventView.line(Map.of("type", "deploy.failed", "app", "demo", "op", "op-1", "code", "DIGEST_MISMATCH"))
                .contains("deploy.failed code=DIGEST_MISMATCH"));
    }

    @Test
    void repliesReadWell() {
        String ps = ReplyView.render("list", Map.of("ok", true, "result", Map.of("apps",
                List.of(Map.of("app", "demo", "phase", "RUNNING", "generation", 2, "restarts", 0, "image", "r/demo@sha256:x")))));
        assertTrue(ps.startsWith("APP") && ps.contains("demo") && ps.contains("RUNNING"), ps);
        assertEquals("a\nb\n", ReplyView.render("logs", Map.of("result", Map.of("lines", List.of("a", "b")))));
    }
}
