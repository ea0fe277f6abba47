package dev.edgeagent.runtime.spec;

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

    public static SpecOption withNoCapabilities() {
        return (app, spec) -> {
            Map<String, Object> caps = new LinkedHashMap<>();
            for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
                caps.put(set, List.of());
            }
            spec.process().put("capabilities", caps);
        };
    }

    public static SpecOption withRlimit(String type, long soft, long hard) {
        return (app, spec) -> OciSpec.list(spec.process(), "rlimits").add(map("type", type, "hard", hard, "soft", soft));
    }

    /** Private pid, ipc, uts, mount, network (loopback only), user and cgroup namespaces. */
    public static SpecOption withPrivateNamespaces() {
        return (app, spec) -> {
            for (String ns : List.of("pid", "ipc", "uts", "mount", "network", "user", "cgroup")) {
                spec.namespaces().add(map("type", ns));
            }
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

    /** No device is reachable but the ones the runtime always creates (null, zero, full, random, urandom, tty). */
    public static SpecOption withNoDevices() {
        return (app, spec) -> spec.resources().put("devices", List.of(map("allow", false, "access", "rwm")));
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
