package dev.edgeagent.runtime.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI runtime config.json held as a JSON tree, with accessors for the parts spec options touch.
 * Kept as a tree so the written file is exactly what the options built, field for field.
 */
public final class OciSpec {
    private final Map<String, Object> root = new LinkedHashMap<>();

    public OciSpec() {
        root.put("ociVersion", "1.0.2");
    }

    public Map<String, Object> root() {
        return root;
    }

    public Map<String, Object> process() {
        return object(root, "process");
    }

    public Map<String, Object> linux() {
        return object(root, "linux");
    }

    public Map<String, Object> resources() {
        return object(linux(), "resources");
    }

    public List<Object> mounts() {
        return list(root, "mounts");
    }

    public List<Object> namespaces() {
        return list(linux(), "namespaces");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Map<String, Object> parent, String key) {
        return (List<Object>) parent.computeIfAbsent(key, k -> new ArrayList<Object>());
    }
}
