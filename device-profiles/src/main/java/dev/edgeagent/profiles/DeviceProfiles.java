package dev.edgeagent.profiles;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads device profiles from JSON; every error names the file and the field. */
public final class DeviceProfiles {
    /** Profiles shipped in this jar, by name. */
    public static final List<String> BUILTIN = List.of("generic-x86_64", "raspberry-pi-4");

    private DeviceProfiles() {}

    public static DeviceProfile builtin(String name) throws IOException {
        if (!BUILTIN.contains(name)) {
            throw new IOException("no built-in device profile '" + name + "' (built in: " + String.join(", ", BUILTIN) + ")");
        }
        try (InputStream in = DeviceProfiles.class.getResourceAsStream(name + ".json")) {
            return parse(in.readAllBytes(), "built-in profile " + name);
        }
    }

    /** A profile by built-in name, or from a JSON file when {@code nameOrPath} names one. */
    public static DeviceProfile load(String nameOrPath) throws IOException {
        Path p = Path.of(nameOrPath);
        if (BUILTIN.contains(nameOrPath) && !Files.exists(p)) {
            return builtin(nameOrPath);
        }
        return parse(Files.readAllBytes(p), p.toString());
    }

    public static DeviceProfile parse(byte[] json, String source) throws IOException {
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(json);
        } catch (IOException e) {
            throw new IOException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            return new DeviceProfile(
                    string(root, "name"),
                    Platform.parse(string(root, "platform")),
                    limits(object(root, "defaults"), "defaults"),
                    limits(object(root, "ceilings"), "ceilings"));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    private static ResourceLimits limits(Map<String, Object> m, String where) {
        return new ResourceLimits(number(m, "memoryBytes", where), number(m, "pids", where));
    }

    private static String string(Map<String, Object> m, String field) {
        if (!(m.get(field) instanceof String s)) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> m, String field) {
        if (!(m.get(field) instanceof Map<?, ?> o)) {
            throw new IllegalArgumentException("field '" + field + "' must be an object");
        }
        return (Map<String, Object>) o;
    }

    private static long number(Map<String, Object> m, String field, String where) {
        if (!(m.get(field) instanceof Number n) || n instanceof Double || n instanceof Float) {
            throw new IllegalArgumentException("field '" + where + "." + field + "' must be a whole number");
        }
        return n.longValue();
    }
}
