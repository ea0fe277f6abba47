package dev.edgeagent.ota.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A registry user name and password (or token). Never printed: toString hides the secret. */
public record Credentials(String username, String password) {
    public Credentials {
        if (username == null || username.isEmpty() || password == null) {
            throw new IllegalArgumentException("registry credentials need a username and a password");
        }
    }

    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ****]";
    }
}
