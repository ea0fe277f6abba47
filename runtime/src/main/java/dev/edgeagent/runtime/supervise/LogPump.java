package dev.edgeagent.runtime.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.tinylog.Logger;

/**
 * Moves every app's stdout and stderr from its pipe into its capped log files, on one thread for all apps.
 *
 * <p>Each app has a named pipe ({@code logs/<app>/<app>.pipe}); its container gets the pipe opened read-write as
 * stdout and stderr (see {@code RuncDriver.create}). Because the container's own descriptor can also read, the pipe
 * always has a reader: while the agent is down (a restart, an upgrade) the app never gets SIGPIPE, its writes wait
 * in the pipe buffer and then block until the agent is back and reopens the pipe. The agent opens it read-write
 * too, so {@code poll(2)} never reports a hang-up once a container ends, and a new container can reuse it.
 *
 * <p>The thread sleeps in {@code poll(2)} on all pipes at once, reads through one 64 KiB buffer, and hands the bytes
 * to {@link LogRotator.LogFile}: the heap the pump uses does not depend on what the apps write, how much, or whether
 * they write newlines. It runs only while a pipe is followed: a device without apps has no thread for their logs.
 */
public final class LogPump implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;
    /** Read at most this much from one pipe per wake-up, so one chatty app cannot starve the others. */
    private static final int FAIR_SHARE = 16 * BUFFER;
    private static final int IDLE_POLL_MS = 500;
    private static final short POLLIN = 1;
    private static final int EAGAIN = Errno.EAGAIN.intValue();
    private static final int EINTR = Errno.EINTR.intValue();

    private final LogRotator rotator;
    private final Map<String, Source> sources = new ConcurrentHashMap<>();
    /** The pump's thread while something is followed, else null; guarded by {@code this}. */
    private Thread thread;
    private volatile boolean running = true;

    private LogPump(LogRotator rotator) {
        this.rotator = rotator;
    }

    /** A pump ready to follow pipes; its one thread, which reads every app's pipe, starts with the first. */
    public static LogPump start(LogRotator rotator) {
        return new LogPump(rotator);
    }

    public LogRotator rotator() {
        return rotator;
    }

    /**
     * Creates {@code pipe} when missing (a fifo, mode 0600) and refuses anything else at that path, a symlink
     * included: what a container's stdout is opened on must be a pipe, never a file it could truncate or extend.
     */
    public static void ensurePipe(Path pipe) throws IOException {
        Files.createDirectories(pipe.getParent());
        if (!Files.exists(pipe, LinkOption.NOFOLLOW_LINKS)) {
            Libc.Calls libc = needed();
            if (libc.mkfifo(pipe.toString(), 0600) != 0 && !Files.exists(pipe, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("cannot make log pipe " + pipe + ": errno " + Libc.errno(libc));
            }
        }
        BasicFileAttributes a = Files.readAttributes(pipe, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new IOException("log pipe " + pipe + " exists but is not a fifo");
        }
    }

    /** Starts (or keeps) draining {@code pipe} of app {@code key} into {@code log}; idempotent. */
    public void follow(String key, Path pipe, Path log) throws IOException {
        if (sources.containsKey(key)) {
            return;
        }
        Libc.Calls libc = needed();
        ensurePipe(pipe);
        int flags = OpenFlags.O_RDWR.intValue() | OpenFlags.O_NONBLOCK.intValue() | OpenFlags.O_CLOEXEC.intValue()
                | OpenFlags.O_NOFOLLOW.intValue();
        int fd = libc.open(pipe.toString(), flags, 0);
        if (fd < 0) {
            throw new IOException("cannot open log pipe " + pipe + ": errno " + Libc.errno(libc));
        }
        LogRotator.LogFile file;
        try {
            file = rotator.open(log);
        } catch (IOException e) {
            libc.close(fd);
            throw e;
        }
        if (sources.putIfAbsent(key, new Source(key, fd, file, libc)) != null) {
            libc.close(fd);
            file.close();
        }
        synchronized (this) {
            // The loop ends under this lock once it finds nothing followed: it saw this source, or it is gone.
            if (thread == null && running) {
                thread = new Thread(this::loop, "logs");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    /** Drains what is left in the pipe into the log, then stops following it (the app is being removed). */
    public void forget(String key) {
        Source s = sources.remove(key);
        if (s != null) {
            synchronized (s) {
                drain(s, new byte[BUFFER], FAIR_SHARE); // what the pipe holds: at most 1 MiB (pipe-max-size)
                s.close();
            }
        }
    }

    /** Where libc cannot be bound no pipe can be followed, and each app start says why. */
    private static Libc.Calls needed() throws IOException {
        return Libc.calls().orElseThrow(() -> new IOException("app logs need libc's mkfifo, open, read and poll, which "
                + "jnr-ffi could not bind on this device (the agent's log says why)"));
    }

    public boolean follows(String key) {
        return sources.containsKey(key);
    }

    private void loop() {
        byte[] buffer = new byte[BUFFER];
        Pointer fds = null;
        int capacity = 0;
        while (running) {
            List<Source> now = List.copyOf(sources.values());
            if (now.isEmpty()) {
                synchronized (this) {
                    if (sources.isEmpty()) {
                        thread = null;
                        return;
                    }
                }
                continue;
            }
            Libc.Calls libc = Libc.calls().orElseThrow(); // a pipe is followed only where libc is bound
            if (now.size() > capacity) {
                capacity = Math.max(now.size(), 2 * capacity);
                fds = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(libc), 8L * capacity);
            }
            for (int i = 0; i < now.size(); i++) {
                fds.putInt(8L * i, now.get(i).fd);
                fds.putShort(8L * i + 4, POLLIN);
                fds.putShort(8L * i + 6, (short) 0);
            }
            int ready = libc.poll(fds, now.size(), IDLE_POLL_MS);
            if (ready <= 0) {
                continue; // timeout (pick up newly followed pipes) or EINTR
            }
            for (int i = 0; i < now.size(); i++) {
                if (fds.getShort(8L * i + 6) != 0) {
                    drainLocked(now.get(i), buffer);
                }
            }
        }
    }

    private void drainLocked(Source s, byte[] buffer) {
        synchronized (s) {
            if (!s.closed) {
                drain(s, buffer, FAIR_SHARE);
            }
        }
    }

    /** Reads until the pipe is empty or {@code budget} bytes moved; a log write failure drops bytes, never the pipe. */
    private void drain(Source s, byte[] buffer, long budget) {
        long moved = 0;
        while (moved < budget) {
            int n = (int) s.libc.read(s.fd, buffer, buffer.length);
            if (n < 0) {
                int errno = Libc.errno(s.libc);
                if (errno == EINTR) {
                    continue;
                }
                if (errno != EAGAIN) {
                    Logger.warn("app={} reading its log pipe failed: errno {}", s.key, errno);
                }
                return;
            }
            if (n == 0) {
                return;
            }
            moved += n;
            try {
                s.file.write(buffer, 0, n);
            } catch (IOException e) {
                s.dropped += n;
                if (s.dropped == n) {
                    Logger.warn("app={} log write failed, output is dropped until it works again: {}", s.key, e.getMessage());
                }
                continue;
            }
            s.dropped = 0;
        }
    }

    /** Stops the thread and closes every pipe (containers keep theirs: they never see SIGPIPE). */
    @Override
    public void close() {
        Thread pumping;
        synchronized (this) {
            running = false;
            pumping = thread;
        }
        try {
            if (pumping != null) {
                pumping.join(2 * IDLE_POLL_MS + 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String key : List.copyOf(sources.keySet())) {
            Source s = sources.remove(key);
            if (s != null) {
                synchronized (s) {
                    s.close();
                }
            }
        }
    }

    private static final class Source {
        final String key;
        final int fd;
        final LogRotator.LogFile file;
        final Libc.Calls libc;
        long dropped;
        boolean closed;

        Source(String key, int fd, LogRotator.LogFile file, Libc.Calls libc) {
            this.key = key;
            this.fd = fd;
            this.file = file;
            this.libc = libc;
        }

        void close() {
            closed = true;
            libc.close(fd);
            try {
                file.close();
            } catch (IOException e) {
                Logger.warn("app={} closing its log: {}", key, e.getMessage());
            }
        }
    }
}
