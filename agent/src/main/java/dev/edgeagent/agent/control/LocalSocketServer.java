package dev.edgeagent.agent.control;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * The same commands over a Unix socket only root can open, for a technician on site without the broker: one
 * request per connection, {@code {"command": "stop", "order": {"id": …, "app": …}}} and a newline; one reply line.
 */
public final class LocalSocketServer implements AutoCloseable {
    /** Runs an order and hands its reply to the callback, on the executor the command belongs to. */
    public interface Handler {
        /** {@code order} is the request's {@code order} object as the server parsed it with the request: read once. */
        void handle(String command, Map<String, Object> order, java.util.function.Consumer<byte[]> reply);
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final int maxBytes;

    private LocalSocketServer(Path path, ServerSocketChannel server, int maxBytes, Handler handler) {
        this.path = path;
        this.server = server;
        this.maxBytes = maxBytes;
        this.acceptor = new Thread(() -> accept(handler), "local-socket");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static LocalSocketServer open(Path path, int maxBytes, Handler handler) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.deleteIfExists(path); // a socket left by an agent that died
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        // Connecting to a Unix socket needs write permission on it: 0600 root means only root gets in.
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.fsyncDirectory(dir);
        Logger.info("local socket {} (root only)", path);
        return new LocalSocketServer(path, server, maxBytes, handler);
    }

    private void accept(Handler handler) {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread t = new Thread(() -> serve(client, handler), "local-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    Logger.warn("local socket: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel client, Handler handler) {
        try {
            Optional<byte[]> line = readLine(client);
            if (line.isEmpty()) {
                answer(client, Messages.error(Optional.empty(), ErrorCode.PAYLOAD_TOO_LARGE,
                        "a local request must be one line of at most " + maxBytes + " bytes"));
                return;
            }
            Map<String, Object> request;
            String command;
            Map<String, Object> order;
            try {
                request = Json.object(line.get());
                Fields f = new Fields(request, "");
                f.refuseUnknown(java.util.List.of("command", "order"));
                command = f.requireString("command");
                order = f.optionalObject("order").orElseThrow(() -> new Fields.WireException("'order' is missing")).asMap();
            } catch (IOException | Fields.WireException e) {
                answer(client, Messages.error(Optional.empty(), ErrorCode.BAD_REQUEST,
                        "a local request is {\"command\": …, \"order\": {…}}: " + e.getMessage()));
                return;
            }
            handler.handle(command, order, reply -> answer(client, reply));
        } catch (IOException e) {
            Logger.warn("local socket client: {}", e.getMessage());
            close(client);
        }
    }

    private Optional<byte[]> readLine(SocketChannel client) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (client.read(buf) >= 0) {
            buf.flip();
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == '\n') {
                    return Optional.of(line.toByteArray());
                }
                line.write(b);
                if (line.size() > maxBytes) {
                    return Optional.empty();
                }
            }
            buf.clear();
        }
        return Optional.of(line.toByteArray());
    }

    private static void answer(SocketChannel client, byte[] reply) {
        try (client) {
            ByteBuffer out = ByteBuffer.allocate(reply.length + 1).put(reply).put((byte) '\n').flip();
            while (out.hasRemaining()) {
                client.write(out);
            }
        } catch (IOException e) {
            Logger.warn("local socket: the client left before its reply: {}", e.getMessage());
        }
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Logger.warn("closing the local socket: {}", e.getMessage());
        }
    }
}
