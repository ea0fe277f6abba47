package dev.edgeagent.agent.deploy;

import dev.edgeagent.protocol.ErrorCode;

/** A deploy that stopped; the code goes into the reply and the event, the message to the operator. */
public final class DeployFailure extends Exception {
    private final ErrorCode code;

    public DeployFailure(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public DeployFailure(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ErrorCode code() {
        return code;
    }
}
