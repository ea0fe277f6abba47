package dev.edgeagent.agent.systemd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import org.tinylog.Logger;

/**
 * Tells systemd how the agent is doing (sd_notify(3)): one datagram to the AF_UNIX socket named by
 * {@code $NOTIFY_SOCKET}, an abstract one when the name starts with '@'. The JDK has no AF_UNIX datagram
 * sockets, hence libc through jnr-ffi (already on the class path for jnr-posix). Without {@code $NOTIFY_SOCKET}
 * (not started by systemd) every call does nothing.
 */
public final class SdNotify {
    private static final short AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un): a 2-byte family, then 108 bytes of path. */
    static final int SUN_PATH_MAX = 108;

    /** The libc calls a datagram send takes. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

        int close(int fd);
    }

    private final Optional<byte[]> address;
    private final LibC libc;

    private SdNotify(Optional<byte[]> address, LibC libc) {
        this.address = address;
        this.libc = libc;
    }

    /** From the process environment. */
    public static SdNotify fromEnvironment() {
        return of(System.getenv());
    }

    public static SdNotify of(Map<String, String> env) {
        Optional<byte[]> address = Optional.ofNullable(env.get("NOTIFY_SOCKET")).filter(s -> !s.isEmpty()).map(SdNotify::sockaddr);
        return new SdNotify(address, address.isPresent() ? LibraryLoader.create(LibC.class).load("c") : null);
    }

    /** Whether systemd is listening. */
    public boolean enabled() {
        return address.isPresent();
    }

    /**
     * How often to send WATCHDOG=1: half of {@code $WATCHDOG_USEC} (sd_watchdog_enabled(3)), when it is set and
     * meant for this process ({@code $WATCHDOG_PID} absent or equal to our pid).
     */
    public static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        if (usec == null || (forPid != null && !forPid.equals(Long.toString(pid)))) {
            return Optional.empty();
        }
        try {
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000 / 2)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** struct sockaddr_un for {@code name}; abstract names ('@…') are sent without a trailing NUL, as systemd binds them. */
    static byte[] sockaddr(String name) {
        boolean isAbstract = name.startsWith("@");
        if (!isAbstract && !name.startsWith("/")) {
            throw new IllegalArgumentException("NOTIFY_SOCKET must be an absolute path or start with '@': " + name);
        }
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        int pathBytes = isAbstract ? path.length : path.length + 1;
        if (pathBytes > SUN_PATH_MAX) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is longer than " + SUN_PATH_MAX + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + pathBytes).order(ByteOrder.nativeOrder());
        b.putShort(AF_UNIX);
        if (isAbstract) {
            b.put((byte) 0).put(path, 1, path.length - 1);
        } else {
            b.put(path).put((byte) 0);
        }
        return b.array();
    }

    /** Sends {@code state} (e.g. "READY=1"); false when systemd is not listening or the send failed (logged). */
    public boolean send(String state) {
        if (address.isEmpty()) {
            return false;
        }
        byte[] addr = address.get();
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            Logger.warn("sd_notify: socket() failed");
            return false;
        }
        try {
            long sent = libc.sendto(fd, message, message.length, MSG_NOSIGNAL, addr, addr.length);
            if (sent != message.length) {
                Logger.warn("sd_notify: sending {} failed", state.lines().findFirst().orElse(""));
                return false;
            }
            return true;
        } finally {
            libc.close(fd);
        }
    }
}
