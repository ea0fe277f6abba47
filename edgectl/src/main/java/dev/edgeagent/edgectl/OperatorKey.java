package dev.edgeagent.edgectl;

import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.SigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads private keys for signing: the file from {@code --key} or $EDGE_KEY, the password from a file or $EDGE_KEY_PASSWORD. */
final class OperatorKey {
    private OperatorKey() {}

    static char[] password(Args a) throws Args.UsageError {
        Optional<String> file = a.get("--password-file");
        String envPassword = System.getenv("EDGE_KEY_PASSWORD");
        if (file.isEmpty() && envPassword == null) {
            file = Settings.active().passwordFile();
        }
        if (file.isPresent()) {
            try {
                return Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip().toCharArray();
            } catch (IOException e) {
                throw new Args.UsageError("cannot read the password file " + file.get() + ": " + e.getMessage());
            }
        }
        String env = System.getenv("EDGE_KEY_PASSWORD");
        return env == null ? null : env.toCharArray();
    }

    static SigningKey read(Path file, char[] password) throws Args.UsageError {
        try {
            return KeyPem.readPrivate(Files.readString(file, StandardCharsets.UTF_8), password);
        } catch (IOException e) {
            throw new Args.UsageError("cannot read the key " + file + ": " + e.getMessage());
        } catch (KeyPem.KeyFormatException e) {
            throw new Args.UsageError("key " + file + ": " + e.getMessage());
        }
    }

    /** The operator key orders are signed with; none when --unsigned asks for a lab agent's unsigned orders. */
    static Optional<SigningKey> forOrders(Args a) throws Args.UsageError {
        if (a.flag("--unsigned")) {
            return Optional.empty();
        }
        Optional<String> file = a.get("--key").or(() -> Optional.ofNullable(System.getenv("EDGE_KEY")).filter(s -> !s.isBlank()));
        if (file.isEmpty()) {
            file = Settings.active().key();
        }
        if (file.isEmpty()) {
            throw new Args.UsageError("orders are signed: give the operator key with --key FILE, $EDGE_KEY or \"key\" in the "
                    + "settings file (make one with 'edgectl keygen'); --unsigned only for a lab agent configured with allowUnsigned");
        }
        return Optional.of(read(Path.of(file.get()), password(a)));
    }
}
