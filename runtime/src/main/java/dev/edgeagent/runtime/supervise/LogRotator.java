package dev.edgeagent.runtime.supervise;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps an app's log under a size cap. Only the agent writes the log files (the app writes into a pipe the agent
 * drains, see {@link LogPump}), so a file is never more than {@code maxBytes}: when the next bytes would not fit,
 * the file is renamed to {@code .1} (older ones shifted up, the oldest dropped) and a fresh one begins. Nothing is
 * copied, and nothing the app does can make a file sparse, preallocated or longer than the cap.
 * At most {@code maxBytes * (keep + 1)} bytes are on disk per app.
 */
public final class LogRotator {
    private final long maxBytes;
    private final int keep;

    public LogRotator(long maxBytes, int keep) {
        if (maxBytes < 1024 || keep < 1) {
            throw new IllegalArgumentException("log cap must be at least 1 KiB and keep at least 1 old file");
        }
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The most an app's log files take together. */
    public long capBytes() {
        return maxBytes * (keep + 1);
    }

    /** Opens {@code log} for appending; a file already over the cap (left by an older agent) is rotated away first. */
    public LogFile open(Path log) throws IOException {
        Files.createDirectories(log.getParent());
        LogFile f = new LogFile(log);
        if (f.size > maxBytes) {
            f.rotate();
        }
        return f;
    }

    static Path sibling(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }

    /** One app's current log file; not thread-safe (the pump's one thread writes it). */
    public final class LogFile implements Closeable {
        private final Path log;
        private FileChannel channel;
        private long size;

        private LogFile(Path log) throws IOException {
            this.log = log;
            openCurrent();
        }

        private void openCurrent() throws IOException {
            channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                    LinkOption.NOFOLLOW_LINKS);
            size = channel.size();
        }

        /** Appends, starting a new file whenever the current one is full; no file ever passes the cap. */
        public void write(byte[] bytes, int offset, int length) throws IOException {
            int done = 0;
            while (done < length) {
                if (size >= maxBytes) {
                    rotate();
                }
                int n = (int) Math.min(length - done, maxBytes - size);
                ByteBuffer b = ByteBuffer.wrap(bytes, offset + done, n);
                while (b.hasRemaining()) {
                    size += channel.write(b);
                }
                done += n;
            }
        }

        private void rotate() throws IOException {
            channel.close();
            Files.deleteIfExists(sibling(log, keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(sibling(log, i), LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(sibling(log, i), sibling(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(log, sibling(log, 1), StandardCopyOption.REPLACE_EXISTING);
            openCurrent();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
