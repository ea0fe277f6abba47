package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;

/** A signature or trust check that failed: the code for tooling, the sentence for people. */
public final class TrustFailure extends Exception {
    private final ErrorCode code;
    private final transient ClockEvidence clock;

    public TrustFailure(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** A refusal that comes from the order's validity period, with what it says about the device's clock. */
    public TrustFailure(ErrorCode code, String message, ClockEvidence clock) {
        super(message);
        this.code = code;
        this.clock = clock;
    }

    /** Present when the refusal came from the order's validity period against the device's clock. */
    public java.util.Optional<ClockEvidence> clock() {
        return java.util.Optional.ofNullable(clock);
    }

    public ErrorCode code() {
        return code;
    }
}
