package dev.edgeagent.agent.provision;

/** Why provisioning stopped, and the exit status that says which kind of problem it was. */
public final class ProvisionException extends RuntimeException {
    /** An option is missing, unknown or malformed. */
    public static final int USAGE = 2;
    /** The broker could not be reached, or refused the device's certificate, or its own was not trusted. */
    public static final int BROKER = 3;
    /** A given file is unreadable or not what it should be (PEM, trust document, device profile). */
    public static final int BAD_FILE = 4;
    /** A configuration is there already and --force was not given. */
    public static final int EXISTS = 5;

    private final int exitCode;

    public ProvisionException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
