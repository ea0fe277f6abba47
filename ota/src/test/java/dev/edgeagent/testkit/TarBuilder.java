package dev.edgeagent.testkit;

import dev.edgeagent.ota.image.Compression;
import dev.edgeagent.ota.unpack.LayerSource;
import dev.edgeagent.protocol.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Hand-made layers, hostile ones included. */
public final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
    private byte[] finished;

    /** The modification time every entry gets, so tests can check it is kept. */
    public static final java.util.Date MTIME = new java.util.Date(1_700_000_000_000L);

    /** Names past 100 characters as GNU ././@LongLink entries instead of PAX headers. */
    public TarBuilder gnuLongNames() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
        return this;
    }

    public TarBuilder() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public TarBuilder dir(String name, int uid) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040755);
        e.setIds(uid, uid);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    public TarBuilder file(String name, String content, int uid, int mode) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8), uid, mode);
    }

    public TarBuilder file(String name, byte[] data, int uid, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        e.setModTime(MTIME);
        e.setMode(0100000 | mode);
        e.setIds(uid, uid);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
        return this;
    }

    public TarBuilder file(String name, String content) throws IOException {
        return file(name, content, 0, 0644);
    }

    public TarBuilder symlink(String name, String target) throws IOException {
        return link(name, target, TarConstants.LF_SYMLINK);
    }

    public TarBuilder hardlink(String name, String target) throws IOException {
        return link(name, target, TarConstants.LF_LINK);
    }

    private TarBuilder link(String name, String target, byte type) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    public TarBuilder special(String name, byte type) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    /** The uncompressed tar. */
    public byte[] tarBytes() throws IOException {
        if (finished == null) {
            tar.finish();
            finished = bytes.toByteArray();
        }
        return finished;
    }

    /** Writes the layer gzip-compressed and returns it with the digest of its uncompressed tar. */
    public LayerSource writeTo(Path file) throws IOException {
        byte[] raw = tarBytes();
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(raw);
        }
        return new LayerSource(file, Compression.GZIP, Digest.sha256Of(raw));
    }
}
