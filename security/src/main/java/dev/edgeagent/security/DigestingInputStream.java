package dev.edgeagent.security;

import dev.edgeagent.protocol.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Hashes every byte that passes through it, so content is verified in the same pass that reads it. */
public final class DigestingInputStream extends FilterInputStream {
    private final MessageDigest sha256 = Digest.newSha256();
    private long count;

    public DigestingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            sha256.update(buf, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed: read them instead.
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end of the stream, hashing what is left. */
    public void drain() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
    }

    public long byteCount() {
        return count;
    }

    /** The digest of the bytes read so far; call once, at the end. */
    public Digest digest() {
        return Digest.fromMessageDigest(sha256.digest());
    }
}
