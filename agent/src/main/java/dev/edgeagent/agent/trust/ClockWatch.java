package dev.edgeagent.agent.trust;

import dev.edgeagent.security.sign.ClockEvidence;
import dev.edgeagent.security.sign.SignedOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What signed orders have said about the device's clock, for status: a device whose clock is wrong refuses every
 * order, and must say so where the operator looks, not only in each reply. The last order refused for its validity
 * period sets the suspicion; an order accepted within the tolerated skew of its signing time clears it.
 */
public final class ClockWatch {
    private volatile ClockEvidence suspect;

    public void refused(ClockEvidence evidence) {
        suspect = evidence;
    }

    public void accepted(SignedOrder statement, Instant deviceTime) {
        if (Duration.between(statement.issuedAt(), deviceTime).abs().compareTo(SignedOrder.CLOCK_SKEW) <= 0) {
            suspect = null;
        }
    }

    /** Null while no order suggests the clock is wrong. */
    public Map<String, Object> status() {
        ClockEvidence e = suspect;
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suspect", e.deviceBehind() ? "behind" : "ahead");
        m.put("offsetSeconds", e.offset().toSeconds());
        m.put("deviceTime", e.deviceTime().toString());
        m.put("orderIssuedAt", e.issuedAt().toString());
        m.put("orderExpiresAt", e.expiresAt().toString());
        m.put("message", e.deviceBehind()
                ? "the device's clock is behind the operator's: signed orders are refused (CLOCK_SKEW) until it is set right"
                : "an order arrived expired: the device's clock is ahead by up to offsetSeconds, or the order was delivered late");
        return m;
    }
}
