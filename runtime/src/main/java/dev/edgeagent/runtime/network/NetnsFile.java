package dev.edgeagent.runtime.network;

import dev.edgeagent.runtime.RuntimeFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A named network namespace: a new namespace bound onto a file ({@code unshare --net=FILE}, as {@code ip netns add}
 * does), so it lives on without a process in it until {@link #remove} unmounts it. The OCI spec names the file, and
 * runc joins it.
 */
final class NetnsFile {
    private NetnsFile() {}

    static void create(Path file) throws RuntimeFailure {
        mountPoint(file);
        HostCommand.Result r = HostCommand.run(List.of("unshare", "--net=" + file, "true"));
        if (!r.ok()) {
            throw new RuntimeFailure("could not create network namespace " + file + ": " + r.stderr().strip());
        }
    }

    /** Binds the namespace on {@code from} onto {@code to} too (a new file), as {@code ip netns attach} would. */
    static void bind(Path from, Path to) throws RuntimeFailure {
        mountPoint(to);
        HostCommand.Result r = HostCommand.run(List.of("mount", "--bind", from.toString(), to.toString()));
        if (!r.ok()) {
            throw new RuntimeFailure("could not bind network namespace " + from + " onto " + to + ": " + r.stderr().strip());
        }
    }

    /** The empty file a namespace is bound onto, made with its folder when missing. */
    private static void mountPoint(Path file) throws RuntimeFailure {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        } catch (IOException e) {
            throw new RuntimeFailure("could not create the netns file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code file} has a namespace bound on it (after a reboot the file is left, the mount is not). */
    static boolean isMounted(Path file) {
        try {
            String target = " " + file.toAbsolutePath() + " ";
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(target) && line.contains(" nsfs ")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    static void remove(Path file) throws RuntimeFailure {
        // A namespace may have been bound twice (an interrupted create retried); unmount until none is left.
        for (int i = 0; i < 4 && isMounted(file); i++) {
            HostCommand.Result r = HostCommand.run(List.of("umount", file.toString()));
            if (!r.ok()) {
                throw new RuntimeFailure("could not unmount network namespace " + file + ": " + r.stderr().strip());
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new RuntimeFailure("could not remove " + file + ": " + e.getMessage(), e);
        }
    }
}
