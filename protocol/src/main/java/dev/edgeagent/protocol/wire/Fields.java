package dev.edgeagent.protocol.wire;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Typed reads from a parsed JSON object; each failure names the field and what was expected. */
public final class Fields {
    private final Map<String, Object> object;
    private final String where;

    public Fields(Map<String, Object> object, String where) {
        this.object = object;
        this.where = where;
    }

    public String requireString(String name) throws WireException {
        return optionalString(name).orElseThrow(() -> new WireException("'" + qualified(name) + "' is missing"));
    }

    public Optional<String> optionalString(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new WireException("'" + qualified(name) + "' must be a string");
        }
        return Optional.of(s);
    }

    public OptionalLong optionalLong(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v instanceof Integer || v instanceof Long) {
            return OptionalLong.of(((Number) v).longValue());
        }
        throw new WireException("'" + qualified(name) + "' must be a whole number");
    }

    /** A decimal number of CPUs as thousandths of a core. */
    public OptionalLong optionalCpus(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (!(v instanceof Number n)) {
            throw new WireException("'" + qualified(name) + "' must be a number of CPUs, like 0.5");
        }
        return OptionalLong.of(Math.round(n.doubleValue() * 1000));
    }

    public boolean optionalBoolean(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new WireException("'" + qualified(name) + "' must be true or false");
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    public List<Fields> optionalObjects(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new WireException("'" + qualified(name) + "' must be a list of objects");
        }
        java.util.ArrayList<Fields> out = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new WireException("'" + qualified(name) + "[" + i + "]' must be an object");
            }
            out.add(new Fields((Map<String, Object>) m, qualified(name) + "[" + i + "]"));
        }
        return out;
    }

    public Optional<Fields> optionalObject(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new WireException("'" + qualified(name) + "' must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) m;
        return Optional.of(new Fields(typed, qualified(name)));
    }

    public Optional<List<String>> optionalStrings(String name) throws WireException {
        Object v = object.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return Optional.of(list.stream().map(String.class::cast).toList());
        }
        throw new WireException("'" + qualified(name) + "' must be a list of strings");
    }

    public Map<String, Object> asMap() {
        return object;
    }

    /** The raw value of a field, for readers that accept more than one shape. */
    public Object raw(String name) {
        return object.get(name);
    }

    public java.util.Set<String> keys() {
        return object.keySet();
    }

    /** Refuses fields this reader does not know: a typo must not silently fall back to a default. */
    public void refuseUnknown(List<String> known) throws WireException {
        for (String k : object.keySet()) {
            if (!known.contains(k)) {
                throw new WireException("unknown field '" + qualified(k) + "' (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private String qualified(String name) {
        return where.isEmpty() ? name : where + "." + name;
    }

    /** Wire input that does not have the expected shape. */
    public static final class WireException extends Exception {
        public WireException(String message) {
            super(message);
        }
    }
}
