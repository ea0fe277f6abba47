package dev.edgeagent.security.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads /proc, /sys and cgroup files to their end. Their sizes are made up by the kernel (0, or 1 under gVisor), and
 * {@code Files.readString} trusts the size it is told: it read "9" from a /proc/sys/user/max_user_namespaces that
 * holds "96365".
 */
public final class KernelFiles {
    private KernelFiles() {}

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static List<String> lines(Path file) throws IOException {
        return read(file).lines().toList();
    }
}
