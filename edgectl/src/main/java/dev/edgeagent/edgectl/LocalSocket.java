package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One order over the agent's root-only Unix socket, for a technician on site: no broker involved. */
final class LocalSocket {
    static final Path DEFAULT = Path.of("/run/edgeagent/edgeagent.sock");

    private LocalSocket() {}

    static byte[] send(Path socket, String command, byte[] order) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", command);
        request.put("order", Json.object(order));
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            byte[] line = Json.compact(request);
            ByteBuffer out = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
            while (out.hasRemaining()) {
                c.write(out);
            }
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (c.read(buf) >= 0) {
                reply.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return reply.toByteArray();
        }
    }
}
