package dev.edgeagent.runtime;

import java.util.regex.Pattern;

/** A runtime container id: also a directory and cgroup name, so restricted to a safe alphabet. */
public record ContainerId(String value) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,127}");

    public ContainerId {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException("container id '" + value + "' must match " + ID.pattern());
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
