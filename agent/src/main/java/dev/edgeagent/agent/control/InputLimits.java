package dev.edgeagent.agent.control;

/**
 * The most bytes the agent reads on each kind of topic it subscribes to, checked before anything is parsed, and
 * the MQTT 5 maximum packet size it announces in CONNECT so the broker never sends it more than the largest.
 *
 * @param orderBytes an order on {@code edge/{device}/cmd/{command}} ({@code maxOrderBytes})
 * @param desiredBytes a desired-state document (16 orders' worth)
 * @param trustBytes a trust document
 */
public record InputLimits(int orderBytes, int desiredBytes, int trustBytes) {
    /** A trust document lists keys and image rules: a few KiB; this leaves room for hundreds. */
    public static final int TRUST_BYTES = 64 * 1024;
    /** Room in a packet for the fixed header, the topic and the MQTT 5 properties around the payload. */
    public static final int PACKET_OVERHEAD = 8 * 1024;

    public InputLimits {
        if (orderBytes < 1 || desiredBytes < 1 || trustBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static InputLimits forOrders(int maxOrderBytes) {
        return new InputLimits(maxOrderBytes, maxOrderBytes * 16, TRUST_BYTES);
    }

    /** The limit for what the channel hands over under {@code name} (a command, or the desired or trust pseudo-command). */
    public int limitFor(String name) {
        return CommandDispatcher.DESIRED.equals(name) ? desiredBytes
                : CommandDispatcher.TRUST.equals(name) || CommandDispatcher.POLICY.equals(name) ? trustBytes : orderBytes;
    }

    /** Whether {@code size} bytes under {@code name} are over that kind's limit (refused unread). */
    public boolean exceeded(String name, int size) {
        return size > limitFor(name);
    }

    /** The MQTT 5 Maximum Packet Size: the largest payload plus what surrounds it. */
    public long maxPacketBytes() {
        return (long) Math.max(orderBytes, Math.max(desiredBytes, trustBytes)) + PACKET_OVERHEAD;
    }
}
