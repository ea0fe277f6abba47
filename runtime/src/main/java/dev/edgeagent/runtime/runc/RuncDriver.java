package dev.edgeagent.runtime.runc;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.ContainerState;
import dev.edgeagent.runtime.RuntimeFailure;
import dev.edgeagent.runtime.supervise.LogPump;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * runc (or crun, which takes the same commands) through its CLI, with its own state root so the agent's
 * containers never mix with anyone else's.
 */
public final class RuncDriver implements ContainerRuntime {
    private static final long TIMEOUT_SECONDS = 60;

    private final Path binary;
    private final Path stateRoot;
    private final String version;

    private RuncDriver(Path binary, Path stateRoot, String version) {
        this.binary = binary;
        this.stateRoot = stateRoot;
        this.version = version;
    }

    /** Finds the binary and asks its version; fails with the install hint when it is missing. */
    public static RuncDriver open(Path binary, Path stateRoot) throws RuntimeFailure {
        if (!Files.isExecutable(binary)) {
            throw new RuntimeFailure("OCI runtime " + binary + " is not installed or not executable (Debian: apt-get install "
                    + binary.getFileName() + ")");
        }
        try {
            Files.createDirectories(stateRoot);
        } catch (IOException e) {
            throw new RuntimeFailure("cannot create runtime state root " + stateRoot + ": " + e.getMessage(), e);
        }
        Result r = run(List.of(binary.toString(), "--version"));
        if (r.exit != 0) {
            throw new RuntimeFailure(binary + " --version failed: " + r.output);
        }
        String first = r.output.lines().findFirst().orElse(binary.getFileName().toString()).strip();
        return new RuncDriver(binary, stateRoot, first);
    }

    @Override
    public String describe() {
        return version;
    }

    @Override
    public long create(ContainerId id, Path bundle, Path output) throws RuntimeFailure {
        Path runtimeLog = bundle.resolve("runtime.log");
        Path pidFile = bundle.resolve("init.pid");
        List<String> cmd = base(runtimeLog);
        cmd.addAll(List.of("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id.value()));
        try {
            LogPump.ensurePipe(output);
            // The container inherits runc's stdout and stderr. They are the app's pipe opened read-write ("1<>"), which
            // the JDK cannot do: with a read end of its own the container never gets SIGPIPE while the agent is away,
            // and a pipe cannot be truncated, preallocated or made sparse the way a log file could.
            List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "exec 1<>\"$EDGEAGENT_LOG_PIPE\" 2>&1 && exec \"$@\"", "sh"));
            wrapped.addAll(cmd);
            ProcessBuilder pb = runtimeProcess(wrapped)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("EDGEAGENT_LOG_PIPE", output.toString());
            Process p = launch(pb);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RuntimeFailure(version + " create " + id + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new RuntimeFailure(version + " create " + id + " failed: " + lastError(runtimeLog));
            }
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException e) {
            throw new RuntimeFailure(version + " create " + id + " wrote no readable pid file", e);
        } catch (IOException e) {
            throw new RuntimeFailure("could not run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure("interrupted while creating " + id, e);
        }
    }

    @Override
    public void start(ContainerId id) throws RuntimeFailure {
        check(List.of("start", id.value()), "start " + id);
    }

    @Override
    public Optional<ContainerState> state(ContainerId id) throws RuntimeFailure {
        List<String> cmd = base(null);
        cmd.addAll(List.of("state", id.value()));
        Result r = run(cmd);
        if (r.exit != 0) {
            if (r.output.contains("does not exist")) {
                return Optional.empty();
            }
            throw new RuntimeFailure(version + " state " + id + " failed: " + r.output.strip());
        }
        try {
            Map<String, Object> json = JSON.std.mapFrom(r.output);
            ContainerState.Status status = ContainerState.Status.valueOf(
                    String.valueOf(json.get("status")).toUpperCase(Locale.ROOT));
            long pid = json.get("pid") instanceof Number n ? n.longValue() : 0;
            return Optional.of(new ContainerState(id, status, pid));
        } catch (IOException | IllegalArgumentException e) {
            throw new RuntimeFailure(version + " state " + id + " printed something unreadable: " + r.output, e);
        }
    }

    @Override
    public List<ContainerId> list() throws RuntimeFailure {
        List<String> cmd = base(null);
        cmd.addAll(List.of("list", "-q"));
        Result r = run(cmd);
        if (r.exit != 0) {
            throw new RuntimeFailure(version + " list failed: " + r.output.strip());
        }
        List<ContainerId> out = new ArrayList<>();
        for (String line : r.output.strip().split("\\s+")) {
            if (!line.isEmpty()) {
                out.add(new ContainerId(line));
            }
        }
        return out;
    }

    @Override
    public void kill(ContainerId id, String signal) throws RuntimeFailure {
        check(List.of("kill", id.value(), signal), "kill " + id);
    }

    @Override
    public int exec(ContainerId id, List<String> args, java.time.Duration timeout) throws RuntimeFailure {
        List<String> cmd = base(null);
        cmd.addAll(List.of("exec", id.value()));
        cmd.addAll(args);
        try {
            // Output is not read: a probe that prints without end must not hold the agent.
            Process p = launch(runtimeProcess(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new RuntimeFailure("exec in " + id + " did not finish within " + timeout.toSeconds() + " s");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new RuntimeFailure("could not run " + binary + " exec: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure("interrupted during exec in " + id, e);
        }
    }

    @Override
    public void delete(ContainerId id, boolean force) throws RuntimeFailure {
        List<String> cmd = base(null);
        cmd.add("delete");
        if (force) {
            cmd.add("--force");
        }
        cmd.add(id.value());
        Result r = run(cmd);
        if (r.exit != 0 && !r.output.contains("does not exist")) {
            throw new RuntimeFailure(version + " delete " + id + " failed: " + r.output.strip());
        }
    }

    private void check(List<String> args, String what) throws RuntimeFailure {
        List<String> cmd = base(null);
        cmd.addAll(args);
        Result r = run(cmd);
        if (r.exit != 0) {
            throw new RuntimeFailure(version + " " + what + " failed: " + r.output.strip());
        }
    }

    private List<String> base(Path log) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--root", stateRoot.toString()));
        if (log != null) {
            cmd.addAll(List.of("--log", log.toString(), "--log-format", "json"));
        }
        return cmd;
    }

    /** The last error message runc wrote to its JSON log. */
    private static String lastError(Path runtimeLog) {
        try {
            List<String> lines = Files.readAllLines(runtimeLog, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                Map<String, Object> entry = JSON.std.mapFrom(lines.get(i));
                if ("error".equals(entry.get("level")) || "fatal".equals(entry.get("level"))) {
                    return String.valueOf(entry.get("msg"));
                }
            }
            return lines.isEmpty() ? "no message" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "no message (" + e.getMessage() + ")";
        }
    }

    /**
     * The one way runc is started. Only fds 0-2 reach it: an fd of the agent's that runc inherited could end up in a
     * container (CVE-2024-21626 was runc leaking its own). The JDK's launcher (jspawnhelper) closes every descriptor
     * above 2 in the child before exec, whether or not it was opened close-on-exec; RuncDriverLaunchTest holds it to that.
     */
    static Process launch(ProcessBuilder pb) throws IOException {
        return pb.start();
    }

    private record Result(int exit, String output) {}

    /**
     * What systemd hands the agent alone (its notify socket, watchdog, sockets) must not reach the runtime: runc
     * that sees $NOTIFY_SOCKET passes a socket into the container and "runc start" then waits, without end, for the
     * app to report READY=1 itself.
     */
    static final java.util.List<String> SYSTEMD_HANDOFF = java.util.List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
            "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

    static ProcessBuilder runtimeProcess(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        withoutSystemdHandoff(pb.environment());
        return pb;
    }

    static void withoutSystemdHandoff(java.util.Map<String, String> env) {
        SYSTEMD_HANDOFF.forEach(env::remove);
    }

    private static Result run(List<String> cmd) throws RuntimeFailure {
        try {
            Process p = launch(runtimeProcess(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RuntimeFailure(String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new RuntimeFailure("could not run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure("interrupted while running " + cmd.get(0), e);
        }
    }
}
