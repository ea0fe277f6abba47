package dev.edgeagent.ota.blob;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.Digest;
import dev.edgeagent.security.DigestingInputStream;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content-addressed, verified blobs: {@code blobs/sha256/<hex>}. Bytes arrive in {@code ingest/}, are hashed while
 * they stream, and become visible under {@code blobs/} only after fsync, size check, digest check and an atomic
 * rename. A blob in {@code blobs/} is therefore always whole and always what its name says.
 */
public final class BlobStore {
    private final Path blobs;
    private final Path ingest;
    private final ConcurrentHashMap<Digest, Object> locks = new ConcurrentHashMap<>();

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
     * Streams {@code content} into the store, verifying it is exactly {@code size} bytes hashing to {@code digest}.
     * On any mismatch nothing becomes visible and the partial file is removed.
     */
    public Path ingest(Digest digest, long size, InputStream content) throws IOException, OtaException {
        synchronized (locks.computeIfAbsent(digest, d -> new Object())) {
            if (has(digest)) {
                return path(digest);
            }
            Path part = ingest.resolve(digest.hex() + ".part");
            try {
                DigestingInputStream hashing = new DigestingInputStream(content);
                try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    byte[] buf = new byte[65536];
                    for (int n; (n = hashing.read(buf)) >= 0; ) {
                        if (hashing.byteCount() > size) {
                            throw new OtaException(ErrorCode.DIGEST_MISMATCH, "blob " + digest + " is longer than the "
                                    + size + " bytes its descriptor declares; refused");
                        }
                        out.write(buf, 0, n);
                    }
                }
                if (hashing.byteCount() != size) {
                    throw new OtaException(ErrorCode.DIGEST_MISMATCH, "blob " + digest + " ended after "
                            + hashing.byteCount() + " of the " + size + " bytes its descriptor declares; refused");
                }
                Digest actual = hashing.digest();
                if (!actual.equals(digest)) {
                    throw new OtaException(ErrorCode.DIGEST_MISMATCH,
                            "blob " + digest + " arrived with digest " + actual + "; refused");
                }
                AtomicFiles.fsyncFile(part);
                Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("r--r--r--"));
                AtomicFiles.moveAtomically(part, path(digest));
                AtomicFiles.fsyncDirectory(blobs);
                return path(digest);
            } finally {
                Files.deleteIfExists(part);
                locks.remove(digest);
            }
        }
    }

    /** Stores bytes already in memory (manifests, configs) under the same checks. */
    public Path ingest(Digest digest, byte[] content) throws IOException, OtaException {
        return ingest(digest, content.length, new java.io.ByteArrayInputStream(content));
    }
}
