package dev.edgeagent.profiles;

import java.util.regex.Pattern;

/** A host device an app may be given: its path, character or block, and its major:minor numbers. */
public record DeviceGrant(String path, char type, long major, long minor) {
    private static final Pattern PATH = Pattern.compile("/dev/[A-Za-z0-9._/-]{1,200}");

    public DeviceGrant {
        if (path == null || !PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("device path '" + path + "' must be under /dev/");
        }
        if (type != 'c' && type != 'b') {
            throw new IllegalArgumentException("device type of " + path + " must be 'c' or 'b'");
        }
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("device numbers of " + path + " must not be negative");
        }
    }
}
