package dev.edgeagent.runtime.spec;

import dev.edgeagent.profiles.DeviceGrant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The spec options. Each is a few lines; {@link HardenedSpec} lists the ones every app gets. */
public final class SpecOptions {
    private SpecOptions() {}

    public static SpecOption withRoot() {
        return (app, spec) -> {
            spec.root().put("root", map("path", "rootfs", "readonly", false));
            spec.root().put("hostname", app.hostname());
        };
    }

    public static SpecOption withProcess() {
        return (app, spec) -> {
            Map<String, Object> p = spec.process();
            p.put("terminal", false);
            p.put("user", map("uid", app.uid(), "gid", app.gid()));
            p.put("args", app.args());
            p.put("env", app.env());
            p.put("cwd", app.cwd());
        };
    }

    public static SpecOption withReadOnlyRoot() {
        return (app, spec) -> OciSpec.object(spec.root(), "root").put("readonly", true);
    }

    public static SpecOption withNoNewPrivileges() {
        return (app, spec) -> spec.process().put("noNewPrivileges", true);
    }

    /** Exactly the capabilities the profile granted the app; none by default. Never inheritable or ambient. */
    public static SpecOption withCapabilities() {
        return (app, spec) -> {
            Map<String, Object> caps = new LinkedHashMap<>();
            for (String set : List.of("bounding", "effective", "permitted")) {
                caps.put(set, app.capabilities());
            }
            caps.put("inheritable", List.of());
            caps.put("ambient", List.of());
            spec.process().put("capabilities", caps);
        };
    }

    public static SpecOption withRlimit(String type, long soft, long hard) {
        return (app, spec) -> OciSpec.list(spec.process(), "rlimits").add(map("type", type, "hard", hard, "soft", soft));
    }

    /** Private pid, ipc, uts, mount, network (loopback only, unless host network is granted), user and cgroup namespaces. */
    public static SpecOption withPrivateNamespaces() {
        return (app, spec) -> {
            for (String ns : List.of("pid", "ipc", "uts", "mount", "network", "user", "cgroup")) {
                if (!(ns.equals("network") && app.hostNetwork())) {
                    spec.namespaces().add(map("type", ns));
                }
            }
        };
    }

    /**
     * A read-only /sys. A user namespace may mount sysfs only in a network namespace it owns, so with the host's
     * network the host's /sys is bound instead, recursively read-only: runc turns a plain "ro" on an rbind into a
     * remount of the top mount alone, leaving the host's sub-mounts (/sys/fs/cgroup, /sys/kernel/security, …)
     * writable; "rro" sets read-only on every one of them (mount_setattr, Linux 5.12+).
     */
    public static SpecOption withSysfs() {
        return (app, spec) -> spec.mounts().add(app.hostNetwork()
                ? map("destination", "/sys", "type", "bind", "source", "/sys", "options",
                        List.of("rbind", "nosuid", "noexec", "nodev", "ro", "rro"))
                : map("destination", "/sys", "type", "sysfs", "source", "sysfs", "options", List.of("nosuid", "noexec", "nodev", "ro")));
    }

    /** The app's own volumes, bound with nosuid and nodev. */
    public static SpecOption withVolumes() {
        return (app, spec) -> {
            for (BindMount v : app.volumes()) {
                spec.mounts().add(map("destination", v.destination(), "type", "bind", "source", v.source().toString(),
                        "options", List.of("rbind", "nosuid", "nodev", v.readOnly() ? "ro" : "rw")));
            }
        };
    }

    /** The granted devices: created in the container and allowed in the device cgroup, nothing else. */
    public static SpecOption withGrantedDevices() {
        return (app, spec) -> {
            List<Object> rules = new ArrayList<>();
            rules.add(map("allow", false, "access", "rwm"));
            List<Object> nodes = new ArrayList<>();
            for (DeviceGrant d : app.devices()) {
                nodes.add(map("path", d.path(), "type", String.valueOf(d.type()), "major", d.major(), "minor", d.minor(),
                        "fileMode", 0660, "uid", 0L, "gid", 0L));
                rules.add(map("allow", true, "type", String.valueOf(d.type()), "major", d.major(), "minor", d.minor(), "access", "rw"));
            }
            if (!nodes.isEmpty()) {
                spec.linux().put("devices", nodes);
            }
            spec.resources().put("devices", rules);
        };
    }

    /** CPU as a CFS quota (hard ceiling) and proportional shares. */
    public static SpecOption withCpu() {
        return (app, spec) -> {
            long millis = app.limits().cpuMillis();
            spec.resources().put("cpu", map("shares", Math.max(2, millis * 1024 / 1000), "quota", millis * 100, "period", 100_000L));
        };
    }

    public static SpecOption withUserNamespaceMapping() {
        return (app, spec) -> {
            List<Object> mapping = List.of(map("containerID", 0L, "hostID", app.ids().hostStart(), "size", app.ids().size()));
            spec.linux().put("uidMappings", mapping);
            spec.linux().put("gidMappings", mapping);
        };
    }

    public static SpecOption withMount(String destination, String type, String source, List<String> options) {
        return (app, spec) -> spec.mounts().add(map("destination", destination, "type", type, "source", source,
                "options", options));
    }

    public static SpecOption withTmpfs(String destination, String size) {
        return withMount(destination, "tmpfs", "tmpfs", List.of("nosuid", "nodev", "noexec", "mode=1777", "size=" + size));
    }

    public static SpecOption withMaskedPaths(List<String> paths) {
        return (app, spec) -> spec.linux().put("maskedPaths", paths);
    }

    public static SpecOption withReadonlyPaths(List<String> paths) {
        return (app, spec) -> spec.linux().put("readonlyPaths", paths);
    }

    /** Memory with no extra swap, and a pids ceiling: both always set. */
    public static SpecOption withResourceLimits() {
        return (app, spec) -> {
            long memory = app.limits().memoryBytes();
            spec.resources().put("memory", map("limit", memory, "swap", memory));
            spec.resources().put("pids", map("limit", app.limits().pids()));
        };
    }


    public static SpecOption withSeccomp() {
        return (app, spec) -> spec.linux().put("seccomp", app.seccomp().toOci());
    }

    public static SpecOption withCgroupsPath(String parent) {
        return (app, spec) -> spec.linux().put("cgroupsPath", parent + "/" + app.containerId());
    }

    /** Builds a spec by applying the options in order. */
    public static OciSpec build(AppSpec app, List<SpecOption> options) {
        OciSpec spec = new OciSpec();
        for (SpecOption option : options) {
            option.apply(app, spec);
        }
        return spec;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
