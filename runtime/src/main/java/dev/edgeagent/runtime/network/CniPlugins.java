package dev.edgeagent.runtime.network;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.RuntimeFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a CNI network configuration list the way the CNI spec (1.0.0) says a runtime does: ADD calls each plugin in
 * order with the previous plugin's result as {@code prevResult} and keeps the last result; DEL calls them in reverse
 * with that kept result. Each plugin gets {@code CNI_COMMAND}, {@code CNI_CONTAINERID}, {@code CNI_NETNS},
 * {@code CNI_IFNAME} and {@code CNI_PATH} in its environment and its configuration on stdin.
 */
public final class CniPlugins {
    public static final Path DEBIAN_PATH = Path.of("/usr/lib/cni");
    /** Debian's containernetworking-plugins 1.1.1 support 0.1.0 to 1.0.0. */
    public static final String CNI_VERSION = "1.0.0";

    private final Path pluginDir;

    public CniPlugins(Path pluginDir) {
        this.pluginDir = pluginDir;
    }

    public Path pluginDir() {
        return pluginDir;
    }

    /** What one attachment is: the same inputs go to ADD and DEL. */
    public record Call(String containerId, Path netns, String ifname) {}

    /** Runs ADD through the list; returns the final result. Where a plugin fails, what was added is deleted again. */
    public Map<String, Object> add(Map<String, Object> confList, Call call, Map<String, Object> runtimeConfig) throws RuntimeFailure {
        Map<String, Object> prev = null;
        List<Map<String, Object>> plugins = plugins(confList);
        for (int i = 0; i < plugins.size(); i++) {
            try {
                prev = invoke("ADD", confList, plugins.get(i), call, runtimeConfig, prev);
            } catch (RuntimeFailure e) {
                try {
                    del(confList, call, runtimeConfig, Optional.ofNullable(prev));
                } catch (RuntimeFailure alsoFailed) {
                    e.addSuppressed(alsoFailed);
                }
                throw e;
            }
        }
        return prev;
    }

    /** Runs DEL through the list in reverse, with the kept ADD result (absent: the plugins clean up what they find). */
    public void del(Map<String, Object> confList, Call call, Map<String, Object> runtimeConfig, Optional<Map<String, Object>> result)
            throws RuntimeFailure {
        List<Map<String, Object>> plugins = new ArrayList<>(plugins(confList));
        java.util.Collections.reverse(plugins);
        RuntimeFailure first = null;
        for (Map<String, Object> plugin : plugins) {
            try {
                invoke("DEL", confList, plugin, call, runtimeConfig, result.orElse(null));
            } catch (RuntimeFailure e) {
                // Every plugin gets its DEL even if one fails, so the others' rules still go.
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The versions a plugin binary says it speaks (CNI_COMMAND=VERSION). */
    public List<String> supportedVersions(String type) throws RuntimeFailure {
        HostCommand.Result r = HostCommand.run(List.of(binary(type).toString()), Map.of("CNI_COMMAND", "VERSION"),
                Json.compact(Map.of("cniVersion", CNI_VERSION)));
        if (!r.ok()) {
            throw new RuntimeFailure("CNI plugin " + type + " VERSION failed: " + r.stdout() + r.stderr());
        }
        try {
            Object v = Json.object(r.stdout().getBytes()).get("supportedVersions");
            return v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        } catch (IOException e) {
            throw new RuntimeFailure("CNI plugin " + type + " answered VERSION with no JSON: " + r.stdout());
        }
    }

    public Path binary(String type) {
        return pluginDir.resolve(type);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> plugins(Map<String, Object> confList) {
        return (List<Map<String, Object>>) confList.get("plugins");
    }

    private Map<String, Object> invoke(String command, Map<String, Object> confList, Map<String, Object> plugin, Call call,
            Map<String, Object> runtimeConfig, Map<String, Object> prevResult) throws RuntimeFailure {
        String type = (String) plugin.get("type");
        Map<String, Object> conf = new LinkedHashMap<>(plugin);
        conf.put("cniVersion", confList.get("cniVersion"));
        conf.put("name", confList.get("name"));
        if (plugin.get("capabilities") instanceof Map<?, ?> caps) {
            // Only the capabilities a plugin declares reach it, as runtimeConfig (CNI conventions).
            Map<String, Object> rc = new LinkedHashMap<>();
            for (Object cap : caps.keySet()) {
                if (Boolean.TRUE.equals(caps.get(cap)) && runtimeConfig.containsKey((String) cap)) {
                    rc.put((String) cap, runtimeConfig.get(cap));
                }
            }
            conf.remove("capabilities");
            if (!rc.isEmpty()) {
                conf.put("runtimeConfig", rc);
            }
        }
        if (prevResult != null) {
            conf.put("prevResult", prevResult);
        }
        Map<String, String> env = Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", call.containerId(), "CNI_NETNS",
                call.netns().toString(), "CNI_IFNAME", call.ifname(), "CNI_PATH", pluginDir.toString());
        Path bin = binary(type);
        if (!Files.isExecutable(bin)) {
            throw new RuntimeFailure("CNI plugin " + bin + " is missing (Debian: apt-get install containernetworking-plugins)");
        }
        HostCommand.Result r = HostCommand.run(List.of(bin.toString()), env, Json.compact(conf));
        if (!r.ok()) {
            throw new RuntimeFailure("CNI plugin " + type + " " + command + " for " + call.containerId() + " failed: "
                    + errorOf(r));
        }
        if (command.equals("DEL") || r.stdout().isBlank()) {
            return prevResult;
        }
        try {
            return Json.object(r.stdout().getBytes());
        } catch (IOException e) {
            throw new RuntimeFailure("CNI plugin " + type + " ADD answered with no JSON result: " + r.stdout());
        }
    }

    private static String errorOf(HostCommand.Result r) {
        try {
            Map<String, Object> err = Json.object(r.stdout().getBytes());
            return err.get("msg") + (err.get("details") == null ? "" : " (" + err.get("details") + ")") + " [code " + err.get("code") + "]";
        } catch (IOException | RuntimeException e) {
            return (r.stdout() + " " + r.stderr()).strip();
        }
    }
}
