package dev.edgeagent.agent.memory;

/**
 * Decides when a full collection gives heap back to the device. The serial collector grows the heap under a burst
 * (orders, malformed payloads, a pull) and shrinks it only at a full collection, which an agent that goes idle after
 * the burst never has: without one the heap stays as large as the burst made it (issue 12 measured 142 MiB RSS a
 * minute after a burst). Asked on the agent's tick; says yes once no order arrived since the last tick and the committed
 * heap has grown to twice what the last collection left (and at least {@code floorBytes}), so an idle agent is never
 * collected for nothing and a busy one is not collected in the middle of its burst.
 */
public final class HeapShrinker {
    private final long floorBytes;
    private long afterLastCollection;

    public HeapShrinker(long floorBytes, long committedAtStart) {
        if (floorBytes <= 0 || committedAtStart < 0) {
            throw new IllegalArgumentException("floor must be positive and the committed heap not negative");
        }
        this.floorBytes = floorBytes;
        this.afterLastCollection = committedAtStart;
    }

    /** Whether a collection is worth running now, with {@code committedBytes} of heap committed. */
    public boolean due(long committedBytes, boolean quiet) {
        return quiet && committedBytes >= floorBytes && committedBytes >= 2 * afterLastCollection;
    }

    /** What a collection left committed: the next one is due only once the heap has doubled from here. */
    public void collected(long committedBytes) {
        afterLastCollection = committedBytes;
    }
}
