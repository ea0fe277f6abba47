package dev.edgeagent.edgectl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code --name value} and {@code --flag} options after a command; an unknown option is an error, not ignored. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<String>> repeated = new HashMap<>();

    Args(List<String> args, List<String> valueOptions, List<String> flags) throws UsageError {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (flags.contains(a)) {
                values.put(a, "true");
            } else if (valueOptions.contains(a)) {
                if (i + 1 >= args.size()) {
                    throw new UsageError(a + " needs a value");
                }
                values.put(a, args.get(++i));
                repeated.computeIfAbsent(a, k -> new java.util.ArrayList<>()).add(values.get(a));
            } else {
                throw new UsageError("unknown option '" + a + "'");
            }
        }
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** Every value of an option that may be given more than once, in order. */
    List<String> all(String name) {
        return repeated.getOrDefault(name, List.of());
    }

    String require(String name) throws UsageError {
        return get(name).orElseThrow(() -> new UsageError(name + " is required"));
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }
}
