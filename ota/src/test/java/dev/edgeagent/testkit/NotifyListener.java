package dev.edgeagent.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import jnr.ffi.LibraryLoader;

/**
 * What systemd does for a Type=notify service: binds an AF_UNIX datagram socket (an abstract one, or a path) and
 * reads the sd_notify messages sent to it. Libc through jnr, as the JDK cannot bind such sockets.
 */
public final class NotifyListener implements AutoCloseable {
    public interface LibC {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] addr, int addrlen);

        int setsockopt(int fd, int level, int optname, byte[] optval, int optlen);

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;

    private final int fd;
    private final String name;

    private NotifyListener(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** {@code name}: "@something" for an abstract socket, or an absolute path; what $NOTIFY_SOCKET is set to. */
    public static NotifyListener bind(String name) {
        int fd = LIBC.socket(1, 2, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed");
        }
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = name.startsWith("@");
        ByteBuffer a = ByteBuffer.allocate(2 + path.length + (isAbstract ? 0 : 1)).order(ByteOrder.nativeOrder());
        a.putShort((short) 1);
        if (isAbstract) {
            a.put((byte) 0).put(path, 1, path.length - 1);
        } else {
            a.put(path).put((byte) 0);
        }
        if (LIBC.bind(fd, a.array(), a.capacity()) != 0) {
            LIBC.close(fd);
            throw new IllegalStateException("bind " + name + " failed");
        }
        return new NotifyListener(fd, name);
    }

    public String name() {
        return name;
    }

    /** The next message, or empty when none came within {@code seconds}. */
    public Optional<String> next(int seconds) {
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(seconds).putLong(0);
        LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv.array(), 16);
        byte[] buf = new byte[4096];
        long n = LIBC.recv(fd, buf, buf.length, 0);
        return n < 0 ? Optional.empty() : Optional.of(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
    }

    /** Reads until a message containing {@code line} arrives; fails after {@code seconds} in all. */
    public String await(String line, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < end) {
            Optional<String> m = next(1);
            if (m.isPresent()) {
                if (m.get().lines().anyMatch(line::equals)) {
                    return m.get();
                }
                seen.append(m.get()).append(" | ");
            }
        }
        throw new AssertionError("no " + line + " on " + name + " within " + seconds + " s; saw: " + seen);
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
