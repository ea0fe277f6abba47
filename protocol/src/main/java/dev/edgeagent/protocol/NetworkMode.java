package dev.edgeagent.protocol;

/**
 * How an app is wired: {@code none} (loopback only, the default), {@code host} (the host's own network, a profile
 * grant) or {@code bridge} (a private network namespace on one or more of the device's named networks).
 */
public enum NetworkMode {
    NONE, HOST, BRIDGE;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static NetworkMode parse(String s) {
        for (NetworkMode m : values()) {
            if (m.wire().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'network' must be \"none\", \"host\" or \"bridge\", got \"" + s + "\"");
    }
}
