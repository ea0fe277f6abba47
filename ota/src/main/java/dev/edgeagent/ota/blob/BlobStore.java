package dev.edgeagent.ota.blob;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Content-addressed, verified blobs: {@code blobs/sha256/<hex>}. Bytes arrive in {@code ingest/<hex>.part}, are
 * hashed while they stream, and become visible under {@code blobs/} only after size check, digest check, fsync
 * and an atomic rename (then the directory is fsynced and the file made read-only). A blob in {@code blobs/} is
 * therefore always whole and always what its name says. One download per digest at a time: a second caller
 * waits and then finds the blob there.
 */
public final class BlobStore {
    /** Fills a writer with a blob's bytes; may resume from {@link BlobWriter#offset()}. */
    @FunctionalInterface
    public interface Download {
        void into(BlobWriter writer) throws IOException, OtaException;
    }

    private final Path blobs;
    private final Path ingest;
    /** JVM-wide, keyed by file: two stores on one root (or two pulls) never write one ingest file at once. */
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    public BlobStore(Path root) throws IOException {
        this.blobs = root.resolve("blobs").resolve(Digest.SHA256);
        this.ingest = root.resolve("ingest");
        Files.createDirectories(blobs);
        Files.createDirectories(ingest);
    }

    public Path path(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public boolean has(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    public Optional<Path> find(Digest digest) {
        return has(digest) ? Optional.of(path(digest)) : Optional.empty();
    }

    public byte[] read(Digest digest) throws IOException {
        return Files.readAllBytes(path(digest));
    }

    /**
     * Runs {@code download} into this digest's ingest file unless the blob is already stored, then verifies and
     * commits it. A digest or size mismatch or a full disk removes the partial file; a network failure keeps it for a
     * resume.
     */
    public Path ingest(Digest digest, long size, Download download) throws IOException, OtaException {
        Path lockFile = ingest.resolve(digest.hex() + ".lock");
        ReentrantLock lock = LOCKS.computeIfAbsent(lockFile.toAbsolutePath(), d -> new ReentrantLock());
        lock.lock();
        // Another process on the same root (edgeagent pull beside the daemon) waits here too.
        try (HeldLock held = HeldLock.acquire(lockFile)) {
            if (has(digest)) {
                held.blobCommitted();
                return path(digest);
            }
            Path part = ingest.resolve(digest.hex() + ".part");
            boolean keepPart = true;
            try (BlobWriter writer = new BlobWriter(part, digest, size)) {
                download.into(writer);
                writer.verify();
            } catch (OtaException e) {
                // Wrong bytes are never kept; nor is a part on a full disk, where it holds the space the device lacks.
                keepPart = e.code() != ErrorCode.DIGEST_MISMATCH && e.code() != ErrorCode.INSUFFICIENT_STORAGE;
                throw e;
            } finally {
                if (!keepPart) {
                    Files.deleteIfExists(part);
                }
            }
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("r--r--r--"));
            AtomicFiles.moveAtomically(part, path(digest));
            AtomicFiles.fsyncDirectory(blobs);
            held.blobCommitted();
            return path(digest);
        } finally {
            lock.unlock();
        }
    }

    /**
     * An exclusive lock on {@code ingest/<hex>.lock} against other processes on the same root. The file is removed
     * only once the blob is committed: a process that then wakes on the old file finds the blob and writes nothing.
     * While a blob is incomplete its lock file stays, so two writers can never append to one ingest file.
     */
    private static final class HeldLock implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private boolean blobCommitted;

        private HeldLock(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        static HeldLock acquire(Path file) throws IOException {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                ch.lock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return new HeldLock(file, ch);
        }

        void blobCommitted() {
            blobCommitted = true;
        }

        @Override
        public void close() throws IOException {
            try {
                if (blobCommitted) {
                    Files.deleteIfExists(file);
                }
            } finally {
                channel.close();
            }
        }
    }

    /** Streams {@code content} in one go under the same checks. */
    public Path ingest(Digest digest, long size, InputStream content) throws IOException, OtaException {
        return ingest(digest, size, writer -> {
            writer.restart();
            writer.append(content);
        });
    }

    /** Stores bytes already in memory (manifests, configs) under the same checks. */
    public Path ingest(Digest digest, byte[] content) throws IOException, OtaException {
        return ingest(digest, content.length, new ByteArrayInputStream(content));
    }

    /** Every stored digest. */
    public Set<Digest> digests() throws IOException {
        Set<Digest> out = new HashSet<>();
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path p : files.toList()) {
                try {
                    out.add(new Digest(Digest.SHA256, p.getFileName().toString()));
                } catch (IllegalArgumentException notABlob) {
                    // a stray file is not ours to interpret
                }
            }
        }
        return out;
    }

    /** Removes a stored blob; the caller has made sure nothing refers to it. */
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(path(digest));
    }
}
