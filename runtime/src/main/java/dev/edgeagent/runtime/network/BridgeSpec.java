package dev.edgeagent.runtime.network;

import dev.edgeagent.runtime.spec.OciSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a bridge app's OCI spec gets on top of the hardened default: its network namespace is the named one the
 * agent wired before start (so the rules are in place before its first instruction), and its /etc/hosts is the
 * agent's file, read-only. A user namespace may mount sysfs only in a network namespace it owns, and this one is
 * the host's, so /sys is the host's, bound read-only (as for host-network apps).
 */
public final class BridgeSpec {
    private BridgeSpec() {}

    @SuppressWarnings("unchecked")
    public static void apply(OciSpec spec, Path netns, Path hosts) {
        boolean found = false;
        for (Object o : spec.namespaces()) {
            Map<String, Object> ns = (Map<String, Object>) o;
            if ("network".equals(ns.get("type"))) {
                ns.put("path", netns.toString());
                found = true;
            }
        }
        if (!found) {
            spec.namespaces().add(new LinkedHashMap<>(Map.of("type", "network", "path", netns.toString())));
        }
        for (Object o : spec.mounts()) {
            Map<String, Object> m = (Map<String, Object>) o;
            if ("/sys".equals(m.get("destination"))) {
                m.put("type", "bind");
                m.put("source", "/sys");
                // recursively read-only, as for host-network apps: a plain "ro" leaves the host's sub-mounts writable
                m.put("options", List.of("rbind", "nosuid", "noexec", "nodev", "ro", "rro"));
            }
        }
        Map<String, Object> etcHosts = new LinkedHashMap<>();
        etcHosts.put("destination", "/etc/hosts");
        etcHosts.put("type", "bind");
        etcHosts.put("source", hosts.toString());
        etcHosts.put("options", List.of("bind", "nosuid", "noexec", "nodev", "ro"));
        spec.mounts().add(etcHosts);
    }
}
