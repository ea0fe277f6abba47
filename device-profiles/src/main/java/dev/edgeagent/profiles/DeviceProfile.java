package dev.edgeagent.profiles;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A device class: the platform its images must match, its runtime, the limits an app gets when it asks for none,
 * the ceilings no app may pass, and what may be granted beyond the hardened default.
 */
public record DeviceProfile(String name, Platform platform, RuntimePreference runtime, Optional<String> storageRoot,
        ResourceLimits defaults, ResourceLimits ceilings, long storageBytes, Grants grants) {
    public DeviceProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(grants, "grants");
        if (defaults.memoryBytes() > ceilings.memoryBytes()) {
            throw new IllegalArgumentException("profile " + name + ": defaults.memoryBytes is above ceilings.memoryBytes");
        }
        if (defaults.pids() > ceilings.pids()) {
            throw new IllegalArgumentException("profile " + name + ": defaults.pids is above ceilings.pids");
        }
        if (defaults.cpuMillis() > ceilings.cpuMillis()) {
            throw new IllegalArgumentException("profile " + name + ": defaults.cpus is above ceilings.cpus");
        }
        if (storageBytes < (1L << 20)) {
            throw new IllegalArgumentException("profile " + name + ": ceilings.storageBytes must be at least 1 MiB");
        }
        storageRoot.ifPresent(r -> {
            if (!r.startsWith("/")) {
                throw new IllegalArgumentException("profile " + name + ": storageRoot must be an absolute path");
            }
        });
    }

    /** The limits an app runs under: what it asked for, else the defaults; refused past a ceiling. */
    public ResourceLimits limitsFor(AppRequest r) throws CeilingExceeded {
        long memory = r.memoryBytes().orElse(defaults.memoryBytes());
        long pids = r.pids().orElse(defaults.pids());
        long cpu = r.cpuMillis().orElse(defaults.cpuMillis());
        check(memory, ceilings.memoryBytes(), "memoryBytes", String.valueOf(memory));
        check(pids, ceilings.pids(), "pids", String.valueOf(pids));
        check(cpu, ceilings.cpuMillis(), "cpus", String.valueOf(cpu / 1000.0));
        try {
            return new ResourceLimits(memory, pids, cpu);
        } catch (IllegalArgumentException e) {
            throw new CeilingExceeded(e.getMessage());
        }
    }

    /** Admits an app: its limits within the ceilings, and each thing it asks beyond the default granted here. */
    public Admission admit(AppRequest r) throws CeilingExceeded, NotGranted {
        ResourceLimits limits = limitsFor(r);
        for (String cap : r.capabilities()) {
            if (!grants.capabilities().contains(cap)) {
                throw new NotGranted("capability " + cap + " is not granted by profile " + name + " (grants.capabilities = "
                        + grants.capabilities() + ")");
            }
        }
        List<DeviceGrant> devices = new ArrayList<>();
        for (String path : r.devices()) {
            devices.add(grants.device(path).orElseThrow(() -> new NotGranted("device " + path + " is not granted by profile "
                    + name + " (grants.devices)")));
        }
        if (r.hostNetwork() && !grants.hostNetwork()) {
            throw new NotGranted("host network is not granted by profile " + name + " (grants.hostNetwork = false)");
        }
        if (r.customSeccomp() && !grants.customSeccomp()) {
            throw new NotGranted("an app's own seccomp profile is not granted by profile " + name + " (grants.customSeccomp = false)");
        }
        if (!r.volumes().isEmpty() && !grants.volumes()) {
            throw new NotGranted("volumes are not granted by profile " + name + " (grants.volumes = false)");
        }
        return new Admission(limits, r.capabilities(), devices, r.hostNetwork(), r.volumes(), grants.extraSyscalls(), storageBytes);
    }

    /**
     * Admits a bridge app's network: bridge networks granted, each published host port inside a granted range, each
     * egress rule inside one the profile allows. Returns the egress rules, parsed.
     */
    public List<NetRule> admitNetwork(List<Integer> hostPorts, List<String> egress) throws NotGranted {
        NetworkGrant g = grants.network();
        if (!g.bridge()) {
            throw new NotGranted("bridge networks are not granted by profile " + name + " (grants.network.bridge = false)");
        }
        for (int port : hostPorts) {
            if (!g.allowsHostPort(port)) {
                throw new NotGranted("host port " + port + " is outside the ranges profile " + name + " grants (grants.network.hostPorts)");
            }
        }
        List<NetRule> rules = new ArrayList<>();
        for (String e : egress) {
            NetRule rule;
            try {
                rule = NetRule.parse(e);
            } catch (IllegalArgumentException bad) {
                throw new NotGranted("egress rule " + bad.getMessage());
            }
            if (!g.allowsEgress(rule)) {
                throw new NotGranted("egress to " + rule + " is wider than profile " + name + " allows (grants.network.egress = "
                        + g.egress() + ")");
            }
            rules.add(rule);
        }
        return rules;
    }

    /**
     * Everything about a running app, with {@code limits} and {@code granted}, that this profile would not admit: each
     * ceiling passed and each grant it no longer gives, one sentence each naming the field. Empty: it complies. Pure,
     * so a policy can be judged against a fleet's statuses before it is pushed.
     */
    public List<String> violations(ResourceLimits limits, AppGrants granted) {
        List<String> out = new ArrayList<>();
        over(out, limits.memoryBytes(), ceilings.memoryBytes(), "memoryBytes", String.valueOf(limits.memoryBytes()));
        over(out, limits.pids(), ceilings.pids(), "pids", String.valueOf(limits.pids()));
        over(out, limits.cpuMillis(), ceilings.cpuMillis(), "cpus", String.valueOf(limits.cpuMillis() / 1000.0));
        for (String cap : new java.util.TreeSet<>(granted.capabilities())) {
            if (!grants.capabilities().contains(cap)) {
                out.add("capability " + cap + " is not granted by profile " + name + " (grants.capabilities)");
            }
        }
        for (String device : granted.devices()) {
            if (grants.device(device).isEmpty()) {
                out.add("device " + device + " is not granted by profile " + name + " (grants.devices)");
            }
        }
        if (granted.hostNetwork() && !grants.hostNetwork()) {
            out.add("host network is not granted by profile " + name + " (grants.hostNetwork = false)");
        }
        if (granted.customSeccomp() && !grants.customSeccomp()) {
            out.add("an app's own seccomp profile is not granted by profile " + name + " (grants.customSeccomp = false)");
        }
        if (!granted.volumes().isEmpty() && !grants.volumes()) {
            out.add("volumes are not granted by profile " + name + " (grants.volumes = false)");
        }
        java.util.Set<String> syscalls = new java.util.TreeSet<>(granted.extraSyscalls());
        syscalls.removeAll(grants.extraSyscalls());
        if (!syscalls.isEmpty()) {
            out.add("syscalls " + syscalls + " are not granted by profile " + name + " (grants.extraSyscalls)");
        }
        if (granted.bridge()) {
            try {
                admitNetwork(granted.hostPorts(), granted.egress());
            } catch (NotGranted e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    private void over(List<String> out, long has, long ceiling, String field, String shown) {
        try {
            check(has, ceiling, field, shown);
        } catch (CeilingExceeded e) {
            out.add(e.getMessage());
        }
    }

    private void check(long asked, long ceiling, String field, String shown) throws CeilingExceeded {
        if (asked > ceiling) {
            throw new CeilingExceeded(field + " " + shown + " is above the ceiling of profile " + name + " (ceilings." + field
                    + " = " + (field.equals("cpus") ? String.valueOf(ceiling / 1000.0) : String.valueOf(ceiling)) + ")");
        }
    }
}
