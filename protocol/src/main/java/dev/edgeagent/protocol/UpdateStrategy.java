package dev.edgeagent.protocol;

/**
 * How a new generation replaces the old: stop the old first (the default, never two at once), or start the new
 * one beside the old and stop the old only once the new one is healthy (no gap; needs memory for both).
 */
public enum UpdateStrategy {
    STOP_THEN_START("stop-then-start"),
    START_THEN_STOP("start-then-stop");

    private final String wire;

    UpdateStrategy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static UpdateStrategy parse(String text) {
        for (UpdateStrategy s : values()) {
            if (s.wire.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy must be stop-then-start or start-then-stop, got '" + text + "'");
    }
}
