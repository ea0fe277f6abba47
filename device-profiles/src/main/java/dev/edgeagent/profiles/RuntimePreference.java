package dev.edgeagent.profiles;

import java.util.Locale;

/** Which OCI runtime a device class uses: one by name, or whichever works on the host (crun first, it is smaller). */
public enum RuntimePreference {
    AUTO, RUNC, CRUN;

    public static RuntimePreference parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("runtime '" + text + "' must be auto, runc or crun");
        }
    }
}
