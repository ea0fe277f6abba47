package dev.edgeagent.profiles;

/** An app asked for more than its device class allows; the message names the ceiling. */
public final class CeilingExceeded extends Exception {
    public CeilingExceeded(String message) {
        super(message);
    }
}
