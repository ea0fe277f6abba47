package dev.edgeagent.agent.doctor;

import dev.edgeagent.profiles.RuntimePreference;
import dev.edgeagent.runtime.host.CgroupMode;
import dev.edgeagent.runtime.host.RuntimeChoice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Reads the facts the doctor judges from /proc, /sys and the runtimes themselves. */
public final class HostProbe {
    private HostProbe() {}

    public static HostFacts probe(Path storageRoot, RuntimePreference preference, Optional<Path> configuredRuntime) {
        CgroupMode mode = CgroupMode.host();
        Optional<String> choice = Optional.empty();
        Optional<String> problem = Optional.empty();
        try {
            choice = Optional.of(RuntimeChoice.chooseOnHost(preference, configuredRuntime).reason());
        } catch (RuntimeChoice.NoRuntime e) {
            problem = Optional.of(e.getMessage());
        }
        Path existing = storageRoot;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        long free = 0;
        try {
            FileStore store = Files.getFileStore(existing == null ? Path.of("/") : existing);
            free = store.getUsableSpace();
        } catch (IOException e) {
            // unknown: reported as 0 MiB free
        }
        return new HostFacts(read("/proc/sys/kernel/osrelease").orElse("unknown"), isRoot(),
                read("/proc/sys/user/max_user_namespaces").map(Long::parseLong).orElse(-1L),
                read("/proc/self/status").map(s -> s.contains("\nSeccomp:")).orElse(false), mode, controllers(mode),
                version(RuntimeChoice.RUNC), version(RuntimeChoice.CRUN), choice, problem, storageRoot.toString(),
                existing != null && Files.isWritable(existing), free, existing == null ? "/" : existing.toString(),
                packageFixes(RUNC_CHANGELOG), subordinateIds(), appIdRanges(storageRoot));
    }

    /** Debian's changelog of the runc package: backported security fixes are named there by CVE id. */
    static final Path RUNC_CHANGELOG = Path.of("/usr/share/doc/runc/changelog.Debian.gz");
    private static final java.util.regex.Pattern CVE = java.util.regex.Pattern.compile("CVE-\\d{4}-\\d{4,}");

    static Set<String> packageFixes(Path gzippedChangelog) {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gzippedChangelog))) {
            Set<String> out = new java.util.TreeSet<>();
            CVE.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8)).results().forEach(m -> out.add(m.group()));
            return out;
        } catch (IOException e) {
            return Set.of(); // not a Debian package, or no changelog: judged by its version alone
        }
    }

    private static List<dev.edgeagent.security.userns.SubordinateIds> subordinateIds() {
        try {
            return dev.edgeagent.security.userns.SubordinateIds.readHost();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The ranges the agent gave its apps, read from its state when there is one. */
    private static java.util.Map<String, dev.edgeagent.security.userns.IdRange> appIdRanges(Path storageRoot) {
        Path state = storageRoot.resolve("state");
        if (!Files.isDirectory(state)) {
            return java.util.Map.of();
        }
        try {
            java.util.Map<String, dev.edgeagent.security.userns.IdRange> out = new java.util.HashMap<>();
            new dev.edgeagent.agent.state.StateStore(state).idRanges().forEach((app, range) -> out.put(app.value(), range));
            return out;
        } catch (IOException | RuntimeException e) {
            return java.util.Map.of();
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Set<String> controllers(CgroupMode mode) {
        Path root = Path.of("/sys/fs/cgroup");
        if (mode == CgroupMode.UNIFIED) {
            return read(root.resolve("cgroup.controllers").toString()).map(s -> Set.of(s.strip().split("\\s+"))).orElse(Set.of());
        }
        Set<String> out = new HashSet<>();
        for (String c : List.of("memory", "pids", "cpu", "cpuacct", "devices", "freezer")) {
            if (Files.isDirectory(root.resolve(c))) {
                out.add(c);
            }
        }
        return out;
    }

    private static Optional<String> version(Path binary) {
        if (!Files.isExecutable(binary)) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.of(binary + " is installed but --version failed");
            }
            return Optional.of(out.lines().findFirst().orElse("?").strip());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Optional<String> read(String path) {
        try {
            return Optional.of(dev.edgeagent.security.fs.KernelFiles.read(Path.of(path)).strip());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
