package dev.edgeagent.agent.state;

import dev.edgeagent.protocol.ResourceRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which of an app's limits its order set and which it took from the device profile's defaults, so that an operator
 * reading "cpus 1.0" in status knows whether somebody asked for it.
 */
public record LimitOrigin(boolean memoryFromOrder, boolean pidsFromOrder, boolean cpusFromOrder) {
    public static final String ORDER = "order";
    public static final String PROFILE = "profile";

    /** What an order's resource request leaves to the profile: every value it does not give. */
    public static LimitOrigin of(ResourceRequest r) {
        return new LimitOrigin(r.memoryBytes().isPresent(), r.pids().isPresent(), r.cpuMillis().isPresent());
    }

    /** As status shows it, keyed like the limits: {@code {"memoryBytes": "order", "pids": "profile", "cpus": "profile"}}. */
    public Map<String, Object> toWire() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memoryBytes", memoryFromOrder ? ORDER : PROFILE);
        m.put("pids", pidsFromOrder ? ORDER : PROFILE);
        m.put("cpus", cpusFromOrder ? ORDER : PROFILE);
        return m;
    }

    /** Read back from {@link #toWire()}; anything but "order" counts as the profile's. */
    public static LimitOrigin fromWire(Map<String, Object> m) {
        return new LimitOrigin(ORDER.equals(m.get("memoryBytes")), ORDER.equals(m.get("pids")), ORDER.equals(m.get("cpus")));
    }
}
