package dev.edgeagent.security.userns;

/**
 * A block of host uids/gids that one app's user namespace maps onto its ids 0..size-1.
 * Host id 0 is never inside a range: root in a container is never root on the host.
 */
public record IdRange(long hostStart, long size) {
    public static final long APP_RANGE_SIZE = 65536;
    private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t)-1 is reserved

    public IdRange {
        if (hostStart <= 0) {
            throw new IllegalArgumentException("an id range must not include host id 0 (start " + hostStart + ")");
        }
        if (size <= 0 || hostStart + size - 1 > MAX_ID) {
            throw new IllegalArgumentException("id range " + hostStart + "+" + size + " leaves the 32-bit id space");
        }
    }

    public long hostEnd() {
        return hostStart + size - 1;
    }

    public boolean overlaps(IdRange other) {
        return hostStart <= other.hostEnd() && other.hostStart <= hostEnd();
    }

    /** The host id that container id {@code containerId} maps to. */
    public long toHost(long containerId) {
        if (containerId < 0 || containerId >= size) {
            throw new IllegalArgumentException("container id " + containerId + " is outside the range's " + size + " ids");
        }
        return hostStart + containerId;
    }
}
