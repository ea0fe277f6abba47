package dev.edgeagent.runtime.network;

import dev.edgeagent.runtime.RuntimeFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one host tool (a CNI plugin, unshare, iptables-restore, ip) with an environment and stdin; the one place that forks. */
final class HostCommand {
    static final long TIMEOUT_SECONDS = 30;

    record Result(int exit, String stdout, String stderr) {
        boolean ok() {
            return exit == 0;
        }
    }

    private HostCommand() {}

    static Result run(List<String> cmd, Map<String, String> env, byte[] stdin) throws RuntimeFailure {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (env != null) {
                pb.environment().putAll(env);
            }
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            }
            // Plugins write little; reading stderr after stdout cannot block on a full pipe here.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RuntimeFailure(String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out, err);
        } catch (IOException e) {
            throw new RuntimeFailure("could not run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure("interrupted while running " + cmd.get(0), e);
        }
    }

    static Result run(List<String> cmd) throws RuntimeFailure {
        return run(cmd, null, new byte[0]);
    }
}
