package dev.edgeagent.profiles;

/** An app asked for something its device class does not grant; the message names the grant. */
public final class NotGranted extends Exception {
    public NotGranted(String message) {
        super(message);
    }
}
