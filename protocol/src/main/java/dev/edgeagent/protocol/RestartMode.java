package dev.edgeagent.protocol;

import java.util.Locale;

/** When a stopped container runs again: never, after a failure, or always. On the wire: no, on-failure, always. */
public enum RestartMode {
    NO, ON_FAILURE, ALWAYS;

    public static RestartMode parse(String text) {
        for (RestartMode m : values()) {
            if (m.wire().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("restart '" + text + "' must be no, on-failure or always");
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
