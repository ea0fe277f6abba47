package dev.edgeagent.agent.deploy;

import dev.edgeagent.protocol.HealthProbe;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.RuntimeFailure;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A new generation's health: it must stay up for the whole grace period and, when the order names a probe, pass it
 * at least once within that time (tried every second, each try bounded). The verdict says why it failed.
 */
final class HealthCheck {
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

    /** Passed, or failed with a reason for the reply. */
    record Verdict(boolean passed, String reason) {}

    private final ContainerRuntime runtime;

    HealthCheck(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    Verdict run(ContainerId container, int graceSeconds, Optional<HealthProbe> probe, BooleanSupplier running) {
        long deadline = System.nanoTime() + graceSeconds * 1_000_000_000L;
        boolean probed = probe.isEmpty();
        String last = "not tried";
        long nextTry = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (!running.getAsBoolean()) {
                return new Verdict(false, "stopped within its " + graceSeconds + " s health grace period");
            }
            if (!probed && System.nanoTime() >= nextTry) {
                last = attempt(container, probe.get());
                probed = last == null;
                nextTry = System.nanoTime() + 1_000_000_000L;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Verdict(false, "interrupted during its health check");
            }
        }
        if (!running.getAsBoolean()) {
            return new Verdict(false, "stopped within its " + graceSeconds + " s health grace period");
        }
        if (!probed) {
            return new Verdict(false, "did not pass its " + probe.get().describe() + " within " + graceSeconds + " s (last try: " + last + ")");
        }
        return new Verdict(true, "");
    }

    /** Null when the probe passed, else what it saw. */
    private String attempt(ContainerId container, HealthProbe probe) {
        if (probe instanceof HealthProbe.Exec e) {
            try {
                int exit = runtime.exec(container, e.command(), ATTEMPT_TIMEOUT);
                return exit == 0 ? null : "exit code " + exit;
            } catch (RuntimeFailure f) {
                return f.getMessage();
            }
        }
        if (probe instanceof HealthProbe.Tcp t) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", t.port()), (int) ATTEMPT_TIMEOUT.toMillis());
                return null;
            } catch (IOException x) {
                return "connect to 127.0.0.1:" + t.port() + ": " + x.getMessage();
            }
        }
        HealthProbe.Http h = (HealthProbe.Http) probe;
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create("http://127.0.0.1:" + h.port() + h.path()).toURL().openConnection();
            c.setConnectTimeout((int) ATTEMPT_TIMEOUT.toMillis());
            c.setReadTimeout((int) ATTEMPT_TIMEOUT.toMillis());
            c.setInstanceFollowRedirects(false);
            int status = c.getResponseCode();
            return status >= 200 && status < 400 ? null : "HTTP " + status;
        } catch (IOException x) {
            return "GET " + h.path() + ": " + x.getMessage();
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }
}
