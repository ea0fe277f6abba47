package dev.edgeagent.security.sign;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a refused order says about the device's clock: the device's time when it was checked, and the validity the
 * operator signed. An order issued ahead of the device's clock proves the device is behind (the signer's clock is
 * the reference); an expired one says the device is ahead by {@link #offset()} if the order was sent at once, or that
 * it arrived late.
 */
public record ClockEvidence(Instant deviceTime, Instant issuedAt, Instant expiresAt) {
    public ClockEvidence {
        Objects.requireNonNull(deviceTime);
        Objects.requireNonNull(issuedAt);
        Objects.requireNonNull(expiresAt);
    }

    /** Device time minus signing time: negative when the device is behind the signer. */
    public Duration offset() {
        return Duration.between(issuedAt, deviceTime);
    }

    public boolean deviceBehind() {
        return issuedAt.isAfter(deviceTime);
    }
}
