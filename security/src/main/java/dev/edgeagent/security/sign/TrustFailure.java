package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;

/** A signature or trust check that failed: the code for tooling, the sentence for people. */
public final class TrustFailure extends Exception {
    private final ErrorCode code;

    public TrustFailure(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
