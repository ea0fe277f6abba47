package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * edgectl's settings file, so an operator need not repeat the broker and key on every command:
 * {@code $EDGECTL_CONFIG}, else {@code ~/.config/edgectl/config.json}; flags and environment variables win over it.
 * <pre>{"broker": "ssl://broker.example:8883", "key": "/home/op/.edge/operator.key", "passwordFile": "…", "socket": "…"}</pre>
 */
record Settings(Optional<String> broker, Optional<String> key, Optional<String> passwordFile, Optional<String> socket) {
    static final Settings NONE = new Settings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** The file the settings come from: $EDGECTL_CONFIG, else ~/.config/edgectl/config.json. */
    static Path location(Map<String, String> env) {
        String explicit = env.get("EDGECTL_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config", "edgectl", "config.json");
    }

    /** The settings in {@code file}; none when it does not exist (only $EDGECTL_CONFIG must). */
    static Settings load(Path file, boolean mustExist) throws Args.UsageError {
        if (!Files.exists(file)) {
            if (mustExist) {
                throw new Args.UsageError("EDGECTL_CONFIG names " + file + ", which does not exist");
            }
            return NONE;
        }
        try {
            Fields f = new Fields(Json.object(Files.readAllBytes(file)), "");
            f.refuseUnknown(List.of("broker", "key", "passwordFile", "socket"));
            return new Settings(f.optionalString("broker"), f.optionalString("key"), f.optionalString("passwordFile"),
                    f.optionalString("socket"));
        } catch (IOException | Fields.WireException e) {
            throw new Args.UsageError("settings file " + file + ": " + e.getMessage());
        }
    }

    private static Settings active;

    /** This process's settings, read once: edgectl is one command per process. */
    static synchronized Settings active() throws Args.UsageError {
        if (active == null) {
            Map<String, String> env = System.getenv();
            active = load(location(env), env.containsKey("EDGECTL_CONFIG"));
        }
        return active;
    }
}
