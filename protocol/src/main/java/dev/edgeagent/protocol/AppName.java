package dev.edgeagent.protocol;

import java.util.regex.Pattern;

/** An app's name on a device: also a directory name, a container id part and a log folder, so kept tame. */
public record AppName(String value) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public AppName {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("app name '" + value
                    + "' must be 1-63 characters of lowercase letters, digits and '-', starting with a letter or digit");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
