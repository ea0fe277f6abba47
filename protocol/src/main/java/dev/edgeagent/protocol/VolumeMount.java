package dev.edgeagent.protocol;

import java.util.regex.Pattern;

/** A named volume of the app's own, mounted at an absolute path in its container. */
public record VolumeMount(String name, String path, boolean readOnly) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");

    public VolumeMount {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("volume name '" + name + "' must be 1-63 lowercase letters, digits and '-'");
        }
        // Every component is checked, not substrings: "/." or "/a/." would otherwise name the container's root or a
        // parent, and the runtime would be asked to bind over it.
        if (path == null || !PATH.matcher(path).matches()
                || java.util.Arrays.stream(path.substring(1).split("/")).anyMatch(c -> c.equals(".") || c.equals(".."))) {
            throw new IllegalArgumentException("volume path '" + path + "' must be an absolute path without . or .. components");
        }
        for (String reserved : new String[] {"/proc", "/sys", "/dev"}) {
            if (path.equals(reserved) || path.startsWith(reserved + "/")) {
                throw new IllegalArgumentException("volume path '" + path + "' is inside " + reserved);
            }
        }
    }
}
