package dev.edgeagent.security.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that survive a power cut at any instant: the old content or the new, never half of one.
 * Temp file in the same directory, fsync, rename over the target, fsync the directory.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Sees every fsync, rename and file-system sync this class makes, in order, on the thread that makes it: the
     * seam through which a test proves that state is durable before an order is answered. None by default.
     */
    public interface Observer {
        void fsynced(Path path, boolean directory);

        void renamed(Path from, Path to);

        void fileSystemSynced(Path path);
    }

    private static volatile Observer observer;

    /** Installs {@code o} (null: none). For tests. */
    public static void observe(Observer o) {
        observer = o;
    }

    /**
     * Removes the temp files a process killed in the middle of {@link #write} left in {@code dir} (their names end in
     * that process's pid; this process's own are kept). Nothing reads them: the target was either renamed over or
     * never touched. Returns how many went.
     */
    public static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        String own = ".tmp-" + ProcessHandle.current().pid();
        int removed = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.matches("\\..+\\.tmp-\\d+") && !name.endsWith(own)
                        && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
        }
        return removed;
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, false);
    }

    /** As {@link #write(Path, byte[])}, readable by the owner only from its first byte on (private keys). */
    public static void writePrivate(Path target, byte[] content) throws IOException {
        write(target, content, true);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(temp);
            java.nio.file.attribute.FileAttribute<?>[] attrs = ownerOnly
                    ? new java.nio.file.attribute.FileAttribute<?>[] {java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))}
                    : new java.nio.file.attribute.FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Observer o = observer;
            if (o != null) {
                o.fsynced(temp, false);
            }
            moveAtomically(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory(dir);
    }

    /** Renames within one filesystem; fails rather than falling back to a copy that could be seen half-done. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Observer o = observer;
            if (o != null) {
                o.renamed(from, to);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically (different filesystems?)", e);
        }
    }

    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
        Observer o = observer;
        if (o != null) {
            o.fsynced(dir, true);
        }
    }

    public static void fsyncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Observer o = observer;
        if (o != null) {
            o.fsynced(file, false);
        }
    }

    /**
     * Flushes every file of the file system that holds {@code path} ({@code syncfs(2)}, through coreutils'
     * {@code sync --file-system}): one call makes a whole unpacked tree durable, where an fsync per file would cost
     * one disk flush for each of thousands of files.
     */
    public static void syncFileSystem(Path path) throws IOException {
        Process p = new ProcessBuilder("sync", "--file-system", path.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IOException("sync --file-system " + path + " failed: " + out);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while syncing " + path);
        }
        Observer o = observer;
        if (o != null) {
            o.fileSystemSynced(path);
        }
    }
}
