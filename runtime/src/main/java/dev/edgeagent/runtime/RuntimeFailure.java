package dev.edgeagent.runtime;

/** The OCI runtime refused or failed an operation; the message carries what it said. */
public final class RuntimeFailure extends Exception {
    public RuntimeFailure(String message) {
        super(message);
    }

    public RuntimeFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
