package dev.edgeagent.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Prepares the agent's root. Each app's root user is an unprivileged host uid, and the runtime mounts the rootfs as
 * that user: every directory above an app's folder must let others pass (o+x), or the container cannot start.
 */
public final class StorageRoot {
    private StorageRoot() {}

    static void prepare(AgentPaths paths) throws IOException {
        Path root = paths.root().toAbsolutePath();
        Files.createDirectories(root); // missing parents too; the check below sees the modes they got
        for (Path p = root.getParent(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("storage root " + root + " is unreachable for apps' user namespaces: " + p
                        + " has mode " + PosixFilePermissions.toString(perms) + "; allow passing through it with: chmod o+x " + p);
            }
        }
        for (Path dir : new Path[] {root, paths.apps()}) {
            Files.createDirectories(dir);
            refuseSymlink(dir);
            // Others may pass, not list: an app's folder is found only by the runtime, which knows its name.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        // Root's alone: state and trust, the apps' logs (what an app prints is its own business) and the blob store.
        for (Path privateDir : new Path[] {paths.state(), paths.trust(), paths.logs(), paths.blobs()}) {
            Files.createDirectories(privateDir);
            refuseSymlink(privateDir);
            Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        }
        // A kill in the middle of an atomic write leaves its temp file; the state it was to replace is whole.
        int leftovers = 0;
        for (Path dir : new Path[] {paths.state(), paths.trust(), paths.net(), paths.net().resolve("attachments")}) {
            leftovers += dev.edgeagent.security.fs.AtomicFiles.removeLeftovers(dir);
        }
        if (leftovers > 0) {
            org.tinylog.Logger.info("removed {} temp files that writes cut short by a crash left behind", leftovers);
        }
    }

    /**
     * An app's folder, where root builds and keeps its generations, belongs to root: the app's root user (a host
     * uid that a process outside any container may also hold) must not be able to plant a symlink or its own
     * config.json there. Its group is the app's root group, which may pass (to reach the rootfs as the runtime
     * mounts it) but not list or write; other apps cannot enter. A symlink in its place is refused, never followed.
     */
    public static void prepareAppFolder(Path appDir, long gid) throws IOException {
        refuseSymlink(appDir);
        if (!Files.isDirectory(appDir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(appDir);
        }
        passableBy(appDir, gid);
    }

    /** Root's directory that the app's root group may pass through, and nothing more. */
    public static void passableBy(Path dir, long gid) throws IOException {
        Files.setAttribute(dir, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x---"));
    }

    /** A folder that belongs to the app's root and no one else (a volume): other apps cannot enter it. */
    public static void ownAppFolder(Path appDir, long uid, long gid) throws IOException {
        refuseSymlink(appDir);
        Files.createDirectories(appDir);
        Files.setAttribute(appDir, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(appDir, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(appDir, PosixFilePermissions.fromString("rwx------"));
    }

    /** lstat, not stat: a symlink where the agent expects its own directory means someone planted it. */
    public static void refuseSymlink(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            throw new IOException(p + " is a symlink where the agent keeps a directory of its own; refusing to follow it"
                    + " (remove it after finding out who put it there)");
        }
    }
}
