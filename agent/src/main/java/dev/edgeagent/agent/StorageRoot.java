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
            if (Files.isSymbolicLink(dir)) {
                throw new IOException(dir + " is a symlink; the agent's directories must be real directories");
            }
            // Others may pass, not list: an app's folder is found only by the runtime, which knows its name.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        for (Path privateDir : new Path[] {paths.state(), paths.trust()}) {
            Files.createDirectories(privateDir);
            Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** An app's folder belongs to the app's root and no one else: other apps cannot enter it. */
    public static void ownAppFolder(Path appDir, long uid, long gid) throws IOException {
        Files.createDirectories(appDir);
        Files.setAttribute(appDir, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(appDir, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(appDir, PosixFilePermissions.fromString("rwx------"));
    }
}
