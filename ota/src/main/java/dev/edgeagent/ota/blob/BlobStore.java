package dev.edgeagent.ota.blob;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.Digest;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
    private final ConcurrentHashMap<Digest, ReentrantLock> locks = new ConcurrentHashMap<>();

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
     * commits it. A digest or size mismatch removes the partial file; a network failure keeps it for a resume.
     */
    public Path ingest(Digest digest, long size, Download download) throws IOException, OtaException {
        ReentrantLock lock = locks.computeIfAbsent(digest, d -> new ReentrantLock());
        lock.lock();
        try {
            if (has(digest)) {
                return path(digest);
            }
            Path part = ingest.resolve(digest.hex() + ".part");
            boolean keepPart = true;
            try (BlobWriter writer = new BlobWriter(part, digest, size)) {
                download.into(writer);
                writer.verify();
            } catch (OtaException e) {
                keepPart = e.code() != ErrorCode.DIGEST_MISMATCH;
                throw e;
            } finally {
                if (!keepPart) {
                    Files.deleteIfExists(part);
                }
            }
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("r--r--r--"));
            AtomicFiles.moveAtomically(part, path(digest));
            AtomicFiles.fsyncDirectory(blobs);
            return path(digest);
        } finally {
            lock.unlock();
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
        ReentrantLock lock = locks.computeIfAbsent(digest, d -> new ReentrantLock());
        lock.lock();
        try {
            return Files.deleteIfExists(path(digest));
        } finally {
            lock.unlock();
        }
    }
}
