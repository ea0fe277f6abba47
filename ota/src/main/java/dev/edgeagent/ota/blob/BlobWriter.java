package dev.edgeagent.ota.blob;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Appends a blob's bytes to its {@code ingest/} file, hashing them on the way. Resumable: it starts from what a
 * previous attempt left, so an interrupted download continues where it stopped instead of starting over.
 */
public final class BlobWriter implements AutoCloseable {
    private final Digest expected;
    private final long size;
    private final FileChannel channel;
    private MessageDigest sha256 = Digest.newSha256();
    private long offset;

    BlobWriter(Path part, Digest expected, long size) throws IOException {
        this.expected = expected;
        this.size = size;
        this.channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long existing = channel.size();
        if (existing > size) {
            channel.truncate(0);
        } else if (existing > 0) {
            // Bytes from an earlier run: hash them from disk once, so the network never sends them again.
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            channel.position(0);
            while (channel.read(buf) > 0) {
                buf.flip();
                sha256.update(buf);
                buf.clear();
            }
            offset = existing;
        }
        channel.position(offset);
    }

    /** Bytes already written and hashed: where a resumed download must start. */
    public long offset() {
        return offset;
    }

    public long size() {
        return size;
    }

    /** Drops what was written: the server ignored a range request and is sending the blob from its start. */
    public void restart() throws IOException {
        channel.truncate(0);
        channel.position(0);
        sha256 = Digest.newSha256();
        offset = 0;
    }

    /** Appends everything {@code in} yields. An IOException leaves the bytes so far in place for a resume. */
    public void append(InputStream in) throws IOException, OtaException {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (offset + n > size) {
                throw new OtaException(ErrorCode.DIGEST_MISMATCH, "blob " + expected + " is longer than the " + size
                        + " bytes its descriptor declares; refused");
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            try {
                while (bb.hasRemaining()) {
                    channel.write(bb);
                }
            } catch (IOException e) {
                // A failed write is the disk's fault, not the network's: not retried, not reported as unreachable.
                channel.truncate(offset); // only what was hashed stays, so a resume starts at a byte boundary it knows
                throw OtaException.storage("writing blob " + expected, e);
            }
            sha256.update(buf, 0, n);
            offset += n;
        }
    }

    /** Checks size and digest and makes the bytes durable; the store then renames the file into place. */
    void verify() throws IOException, OtaException {
        if (offset != size) {
            throw new OtaException(ErrorCode.DIGEST_MISMATCH, "blob " + expected + " ended after " + offset + " of the "
                    + size + " bytes its descriptor declares; refused");
        }
        Digest actual = Digest.fromMessageDigest(sha256.digest());
        if (!actual.equals(expected)) {
            throw new OtaException(ErrorCode.DIGEST_MISMATCH, "blob " + expected + " arrived with digest " + actual + "; refused");
        }
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
