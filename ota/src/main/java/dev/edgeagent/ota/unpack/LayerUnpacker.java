package dev.edgeagent.ota.unpack;

import dev.edgeagent.security.DigestingInputStream;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.userns.IdRange;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Applies image layers, in order, to a rootfs directory. It never follows a symlink it did not check, never writes
 * outside the rootfs, shifts every owner into the app's id range, and checks each layer's uncompressed digest.
 * Anything unsafe stops the unpack with {@link UnsafeLayerException}; the caller discards the partial tree.
 */
public final class LayerUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final UnpackLimits limits;

    public LayerUnpacker(UnpackLimits limits) {
        this.limits = limits;
    }

    public void unpack(List<LayerSource> layers, Path rootfs, IdRange ids) throws IOException, UnsafeLayerException {
        Session session = open(rootfs, ids);
        for (LayerSource layer : layers) {
            session.apply(layer);
        }
    }

    /** Starts a rootfs that layers are then applied to one by one, in order, as each becomes available. */
    public Session open(Path rootfs, IdRange ids) throws IOException, UnsafeLayerException {
        // lstat, then a create that fails on anything already there: a rootfs planted as a symlink is never followed.
        if (Files.isSymbolicLink(rootfs)) {
            throw new UnsafeLayerException("rootfs " + rootfs + " is a symlink; refusing to unpack through it");
        }
        Files.createDirectories(rootfs.getParent());
        if (!Files.isDirectory(rootfs, NOFOLLOW)) {
            Files.createDirectory(rootfs);
        }
        chown(rootfs, 0, 0, ids);
        return new Session(rootfs, ids);
    }

    /** One rootfs being built: the limits count across all its layers. */
    public final class Session {
        private final Path rootfs;
        private final IdRange ids;
        private final Budget budget = new Budget();
        private int applied;

        private Session(Path rootfs, IdRange ids) {
            this.rootfs = rootfs;
            this.ids = ids;
        }

        public void apply(LayerSource layer) throws IOException, UnsafeLayerException {
            applyLayer(layer, applied++, rootfs, ids, budget);
        }
    }

    /** Makes a directory in the rootfs (for mount points), owned by the app's root, refusing any symlink on the way. */
    public void ensureDirectory(Path rootfs, String path, IdRange ids) throws IOException, UnsafeLayerException {
        EntryPath p = EntryPath.parse(path.replaceFirst("^/+", ""), limits.maxPathLength());
        Path dir = prepareParents(rootfs, p.parent(), ids);
        Path target = dir.resolve(p.fileName());
        if (Files.isSymbolicLink(target)) {
            throw new UnsafeLayerException("mount point " + path + " is a symlink in the image");
        }
        if (!Files.exists(target, NOFOLLOW)) {
            Files.createDirectory(target);
            chown(target, 0, 0, ids);
            chmod(target, 0755);
        } else if (!Files.isDirectory(target, NOFOLLOW)) {
            throw new UnsafeLayerException("mount point " + path + " is not a directory in the image");
        }
    }

    private void applyLayer(LayerSource layer, int index, Path rootfs, IdRange ids, Budget budget)
            throws IOException, UnsafeLayerException {
        Set<EntryPath> createdHere = new HashSet<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(layer.blob()), 65536)) {
            // Every decompressed byte is counted where it leaves the decompressor: headers, data the tar reader
            // skips (a symlink's "content"), and anything after the end-of-archive that hashing drains.
            InputStream decompressed = new BudgetedInputStream(layer.compression().decompress(file), budget, limits.maxTotalBytes());
            DigestingInputStream tarBytes = new DigestingInputStream(decompressed);
            // The tar reader asks for 512-byte records; a buffer keeps inflate and sha256 working on 64 KiB at a time.
            TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(tarBytes, 1 << 16));
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (++budget.entries > limits.maxEntries()) {
                    throw new UnsafeLayerException("layer " + index + " passes the limit of " + limits.maxEntries() + " entries");
                }
                EntryPath path = EntryPath.parse(entry.getName(), limits.maxPathLength());
                applyEntry(entry, path, tar, rootfs, ids, budget, createdHere, index);
            }
            tarBytes.drain();
            if (!tarBytes.digest().equals(layer.diffId())) {
                throw new UnsafeLayerException("layer " + index + " unpacks to a tar whose digest is not the image config's diff_id "
                        + layer.diffId());
            }
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof OverBudget) {
                    throw new UnsafeLayerException("layer " + index + " decompresses past the limit of " + limits.maxTotalBytes()
                            + " unpacked bytes");
                }
            }
            throw e;
        }
    }

    private void applyEntry(TarArchiveEntry entry, EntryPath path, InputStream content, Path rootfs, IdRange ids,
            Budget budget, Set<EntryPath> createdHere, int layer) throws IOException, UnsafeLayerException {
        if (path.isRoot()) {
            if (entry.isDirectory()) {
                setMetadata(rootfs, entry, ids);
            }
            return;
        }
        String name = path.fileName();
        Path parent = prepareParents(rootfs, path.parent(), ids);
        if (name.equals(OPAQUE)) {
            clearLowerLayers(parent, path.parent(), createdHere);
            return;
        }
        if (name.startsWith(WHITEOUT)) {
            String hidden = name.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                throw new UnsafeLayerException("whiteout " + path + " names no file");
            }
            Trees.deleteRecursively(parent.resolve(hidden));
            return;
        }
        Path target = parent.resolve(name);
        createdHere.add(path);
        if (entry.isDirectory()) {
            if (!Files.isDirectory(target, NOFOLLOW)) {
                Trees.deleteRecursively(target);
                Files.createDirectory(target);
            }
            setMetadata(target, entry, ids);
            return;
        }
        // Decide by the raw type flag: commons-compress's isFile() is also true for some special entries.
        byte type = entry.getLinkFlag();
        switch (type) {
            case TarConstants.LF_CHR, TarConstants.LF_BLK ->
                    throw new UnsafeLayerException("layer " + layer + " holds device node " + path + "; device nodes are not allowed");
            case TarConstants.LF_FIFO ->
                    throw new UnsafeLayerException("layer " + layer + " holds fifo " + path + "; fifos are not allowed");
            case TarConstants.LF_SYMLINK -> {
                Trees.deleteRecursively(target);
                // The link text is stored, never followed here; at run time it resolves inside the container's root.
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                chown(target, entry.getLongUserId(), entry.getLongGroupId(), ids);
            }
            case TarConstants.LF_LINK -> {
                EntryPath linked = EntryPath.parse(entry.getLinkName(), limits.maxPathLength());
                if (linked.isRoot()) {
                    throw new UnsafeLayerException("hardlink " + path + " points at the root directory");
                }
                Path source = prepareParents(rootfs, linked.parent(), ids).resolve(linked.fileName());
                if (!Files.isRegularFile(source, NOFOLLOW)) {
                    throw new UnsafeLayerException("hardlink " + path + " points at " + linked
                            + ", which is not a regular file in this rootfs");
                }
                Trees.deleteRecursively(target);
                Files.createLink(target, source);
            }
            case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG -> {
                Trees.deleteRecursively(target);
                writeFile(target, content, entry, budget, path);
                setMetadata(target, entry, ids);
            }
            default -> throw new UnsafeLayerException("layer " + layer + " holds " + path + " of unsupported tar type '"
                    + (char) type + "'");
        }
    }

    private void writeFile(Path target, InputStream content, TarArchiveEntry entry, Budget budget, EntryPath path)
            throws IOException, UnsafeLayerException {
        long size = entry.getSize();
        if (budget.bytes + size > limits.maxTotalBytes()) {
            throw new UnsafeLayerException("unpacking " + path + " would pass the limit of " + limits.maxTotalBytes()
                    + " unpacked bytes");
        }
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            // The budget grows as the decompressed stream is read (BudgetedInputStream), which stops past the limit.
            content.transferTo(out);
        } catch (FileAlreadyExistsException e) {
            throw new UnsafeLayerException("entry " + path + " appeared twice at once");
        }
    }

    /**
     * Walks from the rootfs to {@code dir}, creating missing directories and refusing any component that is a
     * symlink or not a directory: this is what keeps every write inside the rootfs.
     */
    private Path prepareParents(Path rootfs, EntryPath dir, IdRange ids) throws IOException, UnsafeLayerException {
        Path current = rootfs;
        for (String part : dir.parts()) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new UnsafeLayerException("path " + dir + " passes through symlink /" + rootfs.relativize(current));
            }
            if (!Files.exists(current, NOFOLLOW)) {
                Files.createDirectory(current);
                chown(current, 0, 0, ids);
                chmod(current, 0755);
            } else if (!Files.isDirectory(current, NOFOLLOW)) {
                throw new UnsafeLayerException("path " + dir + " passes through /" + rootfs.relativize(current)
                        + ", which is not a directory");
            }
        }
        return current;
    }

    /** An opaque directory hides what lower layers put there, but not what this layer already wrote. */
    private void clearLowerLayers(Path dir, EntryPath dirPath, Set<EntryPath> createdHere) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                if (!createdHere.contains(childOf(dirPath, child.getFileName().toString()))) {
                    Trees.deleteRecursively(child);
                }
            }
        }
    }

    private static EntryPath childOf(EntryPath dir, String name) {
        List<String> p = new ArrayList<>(dir.parts());
        p.add(name);
        return new EntryPath(p);
    }

    private void setMetadata(Path target, TarArchiveEntry entry, IdRange ids) throws IOException, UnsafeLayerException {
        chown(target, entry.getLongUserId(), entry.getLongGroupId(), ids);
        chmod(target, entry.getMode() & 07777);
        FileTime mtime = FileTime.from(entry.getModTime().toInstant());
        Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW).setTimes(mtime, null, null);
    }

    private void chown(Path target, long uid, long gid, IdRange ids) throws IOException, UnsafeLayerException {
        if (uid < 0 || uid >= ids.size() || gid < 0 || gid >= ids.size()) {
            throw new UnsafeLayerException("entry /" + target.getFileName() + " is owned by " + uid + ":" + gid
                    + ", outside the app's " + ids.size() + " ids");
        }
        // The JDK's unix view with NOFOLLOW_LINKS is lchown(2): a symlink itself changes owner, never its target.
        Files.setAttribute(target, "unix:uid", (int) ids.toHost(uid), NOFOLLOW);
        Files.setAttribute(target, "unix:gid", (int) ids.toHost(gid), NOFOLLOW);
    }

    /** chmod(2) with setuid, setgid and sticky bits; only called on paths created here and checked not to be links. */
    private static void chmod(Path target, int mode) throws IOException {
        Files.setAttribute(target, "unix:mode", mode, NOFOLLOW);
    }

    /** What a session has used so far: decompressed bytes of all its layers, and entries. */
    private static final class Budget {
        long bytes;
        long entries;
    }

    /** Thrown from inside the tar reader's reads; turned into {@link UnsafeLayerException} by the layer it stopped. */
    private static final class OverBudget extends IOException {
        OverBudget() {
            super("decompressed past the unpack limit");
        }
    }

    /**
     * Counts every byte the decompressor yields into the session's budget and stops once it passes the limit, so
     * inflating costs CPU only up to the limit whatever the bytes are used for. Skips are read, to be counted.
     */
    private static final class BudgetedInputStream extends java.io.FilterInputStream {
        private final Budget budget;
        private final long limit;

        BudgetedInputStream(InputStream in, Budget budget, long limit) {
            super(in);
            this.budget = budget;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(8192, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void count(int n) throws OverBudget {
            budget.bytes += n;
            if (budget.bytes > limit) {
                throw new OverBudget();
            }
        }
    }
}
