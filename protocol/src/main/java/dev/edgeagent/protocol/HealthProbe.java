package dev.edgeagent.protocol;

import java.util.List;

/**
 * How a new generation proves it works, beyond staying up: a command run inside its container that must exit 0,
 * or, for an app on the host's network, a TCP connect or an HTTP GET (2xx or 3xx) on the host's loopback.
 */
public sealed interface HealthProbe {
    record Exec(List<String> command) implements HealthProbe {
        public Exec {
            if (command.isEmpty() || command.size() > 32 || command.stream().anyMatch(a -> a.length() > 1024)) {
                throw new IllegalArgumentException("health.probe.exec must be 1 to 32 arguments of at most 1024 characters");
            }
            command = List.copyOf(command);
        }
    }

    record Tcp(int port) implements HealthProbe {
        public Tcp {
            checkPort(port);
        }
    }

    record Http(int port, String path) implements HealthProbe {
        public Http {
            checkPort(port);
            if (path == null || !path.startsWith("/") || path.length() > 1024 || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                throw new IllegalArgumentException("health.probe.http.path must be an absolute URL path, got '" + path + "'");
            }
        }
    }

    /** Words for messages: "exec probe", "TCP probe on port 8080", … */
    default String describe() {
        if (this instanceof Exec e) {
            return "exec probe " + e.command();
        }
        if (this instanceof Tcp t) {
            return "TCP probe on port " + t.port();
        }
        Http h = (Http) this;
        return "HTTP probe GET 127.0.0.1:" + h.port() + h.path();
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("health.probe port must be 1..65535, got " + port);
        }
    }
}
