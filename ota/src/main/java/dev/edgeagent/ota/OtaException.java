package dev.edgeagent.ota;

import dev.edgeagent.protocol.ErrorCode;

/** A pull or unpack that failed, with the stable code the operator sees and a sentence that says why. */
public class OtaException extends Exception {
    private final ErrorCode code;

    public OtaException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public OtaException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
