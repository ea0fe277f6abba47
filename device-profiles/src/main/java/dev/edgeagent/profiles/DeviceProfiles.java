package dev.edgeagent.profiles;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads device profiles from JSON; every error names the file and the field. */
public final class DeviceProfiles {
    /** Profiles shipped in this jar, by name. */
    public static final List<String> BUILTIN = List.of("generic-x86_64", "raspberry-pi-4", "small-arm-512", "internet-exposed-strict");

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

    /** The bytes a profile is read from (built-in or file), for its digest. */
    public static byte[] bytes(String nameOrPath) throws IOException {
        Path p = Path.of(nameOrPath);
        if (BUILTIN.contains(nameOrPath) && !Files.exists(p)) {
            try (InputStream in = DeviceProfiles.class.getResourceAsStream(nameOrPath + ".json")) {
                return in.readAllBytes();
            }
        }
        return Files.readAllBytes(p);
    }

    public static DeviceProfile parse(byte[] json, String source) throws IOException {
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(json);
        } catch (IOException e) {
            throw new IOException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            Node r = new Node(root, "");
            r.only("name", "platform", "runtime", "storageRoot", "defaults", "ceilings", "grants");
            Node defaults = r.object("defaults");
            defaults.only("memoryBytes", "pids", "cpus");
            Node ceilings = r.object("ceilings");
            ceilings.only("memoryBytes", "pids", "cpus", "storageBytes");
            return new DeviceProfile(r.string("name"), Platform.parse(r.string("platform")),
                    RuntimePreference.parse(r.optionalString("runtime").orElse("auto")), r.optionalString("storageRoot"),
                    limits(defaults), limits(ceilings), ceilings.whole("storageBytes"),
                    r.has("grants") ? grants(r.object("grants")) : Grants.NONE);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    private static ResourceLimits limits(Node n) {
        return new ResourceLimits(n.whole("memoryBytes"), n.whole("pids"), Math.round(n.decimal("cpus") * 1000));
    }

    private static Grants grants(Node g) {
        g.only("capabilities", "devices", "hostNetwork", "extraSyscalls", "volumes", "customSeccomp", "network");
        List<DeviceGrant> devices = new ArrayList<>();
        List<Node> entries = g.objects("devices");
        for (Node d : entries) {
            d.only("path", "type", "major", "minor");
            String type = d.string("type");
            if (!type.equals("c") && !type.equals("b")) {
                throw new IllegalArgumentException("field '" + d.where + ".type' must be \"c\" or \"b\"");
            }
            devices.add(new DeviceGrant(d.string("path"), type.charAt(0), d.whole("major"), d.whole("minor")));
        }
        return new Grants(g.strings("capabilities"), devices, g.bool("hostNetwork"), g.strings("extraSyscalls"), g.bool("volumes"),
                g.bool("customSeccomp"), g.has("network") ? network(g.object("network")) : NetworkGrant.NONE);
    }

    private static NetworkGrant network(Node n) {
        n.only("bridge", "hostPorts", "egress", "subnetPool");
        try {
            return new NetworkGrant(n.bool("bridge"), n.strings("hostPorts").stream().map(NetworkGrant::range).toList(),
                    n.strings("egress").stream().map(NetRule::parse).toList(),
                    n.optionalString("subnetPool").map(NetRule::parse).orElse(NetworkGrant.DEFAULT_POOL));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("grants.network: " + e.getMessage(), e);
        }
    }

    /** A JSON object with the path it was found at, for error messages that name the field. */
    private record Node(Map<String, Object> map, String where) {
        String path(String field) {
            return where.isEmpty() ? field : where + "." + field;
        }

        boolean has(String field) {
            return map.containsKey(field);
        }

        void only(String... fields) {
            for (String k : map.keySet()) {
                if (!List.of(fields).contains(k)) {
                    throw new IllegalArgumentException("unknown field '" + path(k) + "'");
                }
            }
        }

        String string(String field) {
            return optionalString(field).orElseThrow(() -> new IllegalArgumentException("field '" + path(field) + "' is missing"));
        }

        Optional<String> optionalString(String field) {
            Object v = map.get(field);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be a string");
            }
            return Optional.of(s);
        }

        long whole(String field) {
            if (!(map.get(field) instanceof Number n) || n instanceof Double || n instanceof Float) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be a whole number");
            }
            return n.longValue();
        }

        double decimal(String field) {
            if (!(map.get(field) instanceof Number n)) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be a number");
            }
            return n.doubleValue();
        }

        boolean bool(String field) {
            Object v = map.get(field);
            if (v == null) {
                return false;
            }
            if (!(v instanceof Boolean b)) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be true or false");
            }
            return b;
        }

        @SuppressWarnings("unchecked")
        Node object(String field) {
            if (!(map.get(field) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be an object");
            }
            return new Node((Map<String, Object>) m, path(field));
        }

        Set<String> strings(String field) {
            Object v = map.get(field);
            if (v == null) {
                return Set.of();
            }
            if (!(v instanceof List<?> l) || !l.stream().allMatch(String.class::isInstance)) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be a list of strings");
            }
            Set<String> out = new LinkedHashSet<>();
            l.forEach(s -> out.add((String) s));
            return out;
        }

        @SuppressWarnings("unchecked")
        List<Node> objects(String field) {
            Object v = map.get(field);
            if (v == null) {
                return List.of();
            }
            if (!(v instanceof List<?> l)) {
                throw new IllegalArgumentException("field '" + path(field) + "' must be a list");
            }
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                if (!(l.get(i) instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("field '" + path(field) + "[" + i + "]' must be an object");
                }
                out.add(new Node((Map<String, Object>) m, path(field) + "[" + i + "]"));
            }
            return out;
        }
    }
}
