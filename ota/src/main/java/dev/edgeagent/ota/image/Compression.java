package dev.edgeagent.ota.image;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** How a layer's tar is compressed. zstd is decoded in pure Java (aircompressor): no native library to ship. */
public enum Compression {
    NONE, GZIP, ZSTD;

    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new BufferedInputStream(new CheckedZstd(new ZstdInputStream(in)), 1 << 16);
        };
    }

    /**
     * aircompressor reports a corrupt zstd frame (bad checksum, bad block) with unchecked exceptions
     * ({@code MalformedInputException}); here they become an IOException like any other broken layer, so a bad layer
     * is refused as one, never escaping as an internal error (found by LayerUnpackerFuzzTest#zstd). Whatever the
     * decoder throws on its input is about the input.
     */
    private static final class CheckedZstd extends java.io.FilterInputStream {
        CheckedZstd(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RuntimeException e) {
                throw new IOException("corrupt zstd data: " + e.getMessage(), e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (RuntimeException e) {
                throw new IOException("corrupt zstd data: " + e.getMessage(), e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (RuntimeException e) {
                throw new IOException("corrupt zstd data: " + e.getMessage(), e);
            }
        }
    }
}
