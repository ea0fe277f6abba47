package dev.edgeagent.security.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The profile every app gets unless its device profile grants more: default-deny, an allowlist no wider
 * than Docker's default, and argument filters that keep clone from creating namespaces.
 */
public final class DefaultSeccompProfile {
    /** Never allowed by the default profile, whatever else changes: the escape and kernel-attack surface. */
    public static final Set<String> ALWAYS_DENIED = Set.of(
            "unshare", "setns", "clone3", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "ptrace",
            "process_vm_readv", "process_vm_writev", "mount", "umount", "umount2", "pivot_root", "chroot",
            "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "userfaultfd",
            "open_by_handle_at", "name_to_handle_at", "sethostname", "setdomainname", "reboot", "swapon", "swapoff",
            "acct", "syslog", "mknod", "mknodat", "iopl", "ioperm", "lookup_dcookie", "quotactl", "fanotify_init",
            "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "io_uring_setup", "io_uring_enter",
            "io_uring_register", "vm86", "vm86old", "nfsservctl", "uselib", "ustat", "sysfs",
            "_sysctl", "settimeofday", "clock_settime", "stime");

    /** Clone flags that create namespaces: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
    static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int AF_VSOCK = 40;

    private DefaultSeccompProfile() {}

    public static SeccompProfile forArch(String osArch) {
        return forArch(osArch, java.util.Set.of());
    }

    /** The default plus {@code extraSyscalls}, which only a device profile's grants may add. */
    public static SeccompProfile forArch(String osArch, java.util.Set<String> extraSyscalls) {
        List<SeccompProfile.Rule> rules = new ArrayList<>();
        rules.add(SeccompProfile.Rule.allow(loadAllowlist()));
        if (!extraSyscalls.isEmpty()) {
            rules.add(SeccompProfile.Rule.allow(List.copyOf(new java.util.TreeSet<>(extraSyscalls))));
        }
        // clone without any namespace flag; fork/threads need it, namespaces must not be had.
        rules.add(new SeccompProfile.Rule(List.of("clone"), SeccompProfile.ALLOW, null,
                List.of(new SeccompProfile.ArgCondition(0, CLONE_NAMESPACE_FLAGS, 0, "SCMP_CMP_MASKED_EQ"))));
        // clone3 passes its flags in memory seccomp cannot read: answer ENOSYS so libc falls back to clone.
        rules.add(new SeccompProfile.Rule(List.of("clone3"), SeccompProfile.ERRNO, ENOSYS, List.of()));
        rules.add(new SeccompProfile.Rule(List.of("socket"), SeccompProfile.ALLOW, null,
                List.of(new SeccompProfile.ArgCondition(0, AF_VSOCK, 0, "SCMP_CMP_NE"))));
        for (long persona : new long[] {0x0, 0x8, 0x20000, 0x20008, 0xffffffffL}) {
            rules.add(new SeccompProfile.Rule(List.of("personality"), SeccompProfile.ALLOW, null,
                    List.of(new SeccompProfile.ArgCondition(0, persona, 0, "SCMP_CMP_EQ"))));
        }
        List<String> archs;
        switch (osArch) {
            case "amd64", "x86_64" -> {
                rules.add(SeccompProfile.Rule.allow(List.of("arch_prctl")));
                archs = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
            }
            case "arm64", "aarch64" -> archs = List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
            case "arm" -> archs = List.of("SCMP_ARCH_ARM");
            default -> throw new IllegalArgumentException("no default seccomp profile for architecture " + osArch);
        }
        return new SeccompProfile(SeccompProfile.ERRNO, EPERM, archs, rules);
    }

    private static List<String> loadAllowlist() {
        List<String> names = new ArrayList<>();
        try (InputStream in = DefaultSeccompProfile.class.getResourceAsStream("default-allow.txt")) {
            if (in == null) {
                throw new IllegalStateException("default-allow.txt is missing from the security jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
