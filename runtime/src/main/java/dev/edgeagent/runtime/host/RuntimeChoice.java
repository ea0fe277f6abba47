package dev.edgeagent.runtime.host;

import dev.edgeagent.profiles.RuntimePreference;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which OCI runtime to drive, and why, in words for the status. Pure: the caller says which binaries exist and how
 * the host mounts cgroups. crun 1.8 refuses hybrid cgroup hosts, so there the choice falls back to runc.
 */
public record RuntimeChoice(Path binary, String reason) {
    public static final Path RUNC = Path.of("/usr/sbin/runc");
    public static final Path CRUN = Path.of("/usr/bin/crun");

    /** Thrown when no usable runtime is installed; the message says what to install. */
    public static final class NoRuntime extends Exception {
        public NoRuntime(String message) {
            super(message);
        }
    }

    public static RuntimeChoice choose(RuntimePreference preference, Optional<Path> configured, Optional<Path> runc,
            Optional<Path> crun, CgroupMode cgroups) throws NoRuntime {
        if (configured.isPresent()) {
            return new RuntimeChoice(configured.get(), "configured in the agent's config (runtime = " + configured.get() + ")");
        }
        boolean crunUsable = crun.isPresent() && cgroups != CgroupMode.HYBRID;
        String crunWhyNot = crun.isEmpty() ? "crun is not installed" : "crun refuses hybrid cgroup hosts and this host is hybrid";
        switch (preference) {
            case CRUN -> {
                if (crunUsable) {
                    return new RuntimeChoice(crun.get(), "crun, as the device profile asks");
                }
                if (runc.isPresent()) {
                    return new RuntimeChoice(runc.get(), "runc: the device profile asks for crun, but " + crunWhyNot);
                }
                throw new NoRuntime("the device profile asks for crun, but " + crunWhyNot + ", and runc is not installed either "
                        + "(apt-get install runc)");
            }
            case RUNC -> {
                if (runc.isPresent()) {
                    return new RuntimeChoice(runc.get(), "runc, as the device profile asks");
                }
                throw new NoRuntime("the device profile asks for runc, which is not installed (apt-get install runc)");
            }
            default -> {
                if (crunUsable) {
                    return new RuntimeChoice(crun.get(), "crun, found on a " + cgroups.name().toLowerCase() + " cgroup host (auto)");
                }
                if (runc.isPresent()) {
                    return new RuntimeChoice(runc.get(), "runc (auto): " + crunWhyNot);
                }
                throw new NoRuntime("no OCI runtime is installed: apt-get install runc (or crun on a cgroup v2 host)");
            }
        }
    }

    /** The runtimes installed at their Debian paths. */
    public static RuntimeChoice chooseOnHost(RuntimePreference preference, Optional<Path> configured) throws NoRuntime {
        return choose(preference, configured, executable(RUNC), executable(CRUN), CgroupMode.host());
    }

    private static Optional<Path> executable(Path p) {
        return java.nio.file.Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
}
