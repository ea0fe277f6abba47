package dev.edgeagent.agent.control;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of orders taken from the broker and not yet run, under a ceiling. The agent asks the broker for at most
 * ten unacknowledged orders at a time (MQTT 5 Receive Maximum), but a broker need not hold to it: mosquitto 2.0.11
 * sends two new messages for each acknowledgement, so during a burst the window grows by one per order answered, and
 * 50 MiB of payloads were seen waiting in a 64 MiB heap. Past the ceiling an order is refused ({@code BUSY}) as it
 * arrives, and its bytes let go.
 */
public final class OrderBacklog {
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();

    public OrderBacklog(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the backlog's ceiling must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The ceiling for orders of at most {@code maxOrderBytes}: 64 of the largest, or thousands of ordinary ones. */
    public static OrderBacklog forOrders(int maxOrderBytes) {
        return new OrderBacklog(64L * maxOrderBytes);
    }

    /** Counts {@code size} in when it fits under the ceiling; an order always fits when none is waiting. */
    public boolean admit(int size) {
        while (true) {
            long now = bytes.get();
            if (now > 0 && now + size > maxBytes) {
                return false;
            }
            if (bytes.compareAndSet(now, now + size)) {
                return true;
            }
        }
    }

    /** An admitted order has run. */
    public void release(int size) {
        bytes.addAndGet(-size);
    }

    public long waiting() {
        return bytes.get();
    }
}
