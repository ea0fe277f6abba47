package dev.edgeagent.agent.control;

import dev.edgeagent.agent.AgentPaths;
import dev.edgeagent.agent.deploy.Deployer;
import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.agent.status.StatusReporter;
import dev.edgeagent.agent.supervise.AppSupervisor;
import dev.edgeagent.agent.supervise.ContainerLauncher;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.AppOrder;
import dev.edgeagent.protocol.Commands;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.runtime.RuntimeFailure;
import dev.edgeagent.security.fs.Trees;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tinylog.Logger;

/** The commands that act on apps already deployed, and the read-only ones. Each returns a result; none throws. */
public final class AppCommands {
    static final int DEFAULT_TAIL = 100;
    static final int MAX_LOG_REPLY_BYTES = 64 * 1024;

    private final StateStore state;
    private final ContainerLauncher launcher;
    private final AppSupervisor supervisor;
    private final AgentPaths paths;
    private final Deployer deployer;
    private final StatusReporter status;
    private final Clock clock;

    public AppCommands(StateStore state, ContainerLauncher launcher, AppSupervisor supervisor, AgentPaths paths, Deployer deployer,
            StatusReporter status, Clock clock) {
        this.state = state;
        this.launcher = launcher;
        this.supervisor = supervisor;
        this.paths = paths;
        this.deployer = deployer;
        this.status = status;
        this.clock = clock;
    }

    /** What the policy in force says about starting an app: empty when it may run (by default nothing is checked). */
    private java.util.function.Function<AppRecord, List<String>> policy = app -> List.of();

    /** From now on a start (and a restart) is admitted against the policy in force, as a deploy is. */
    public void admitStartsWith(java.util.function.Function<AppRecord, List<String>> check) {
        this.policy = check;
    }

    public CommandResult run(String command, AppOrder order) {
        return switch (command) {
            case Commands.PING -> CommandResult.ok("pong", Map.of("time", clock.instant().toString()));
            case Commands.INFO -> CommandResult.ok("agent info", status.info());
            case Commands.LIST -> list();
            case Commands.INSPECT -> withApp(order, app -> CommandResult.ok("app " + app.name(), status.appDocument(app)));
            case Commands.LOGS -> withApp(order, app -> logs(app, order.tail().orElse(DEFAULT_TAIL)));
            case Commands.START -> withApp(order, this::start);
            case Commands.STOP -> withApp(order, this::stop);
            case Commands.RESTART -> withApp(order, app -> {
                // Judged before the stop: a restart the policy would refuse must not leave the app stopped.
                Optional<CommandResult> refused = beyondPolicy(app);
                if (refused.isPresent()) {
                    return refused.get();
                }
                CommandResult stopped = stop(app);
                return stopped.ok() ? start(state.app(app.name()).orElseThrow()) : stopped;
            });
            case Commands.REMOVE -> removeAgain(order).orElseGet(() -> withApp(order, app -> remove(app, order, order.purge())));
            default -> CommandResult.error(ErrorCode.UNKNOWN_COMMAND, "unknown command '" + command + "'");
        };
    }

    private interface AppAction {
        CommandResult apply(AppRecord app);
    }

    private CommandResult withApp(AppOrder order, AppAction action) {
        AppName name = order.requireApp();
        Optional<AppRecord> app = state.app(name);
        if (app.isEmpty()) {
            return CommandResult.error(ErrorCode.NOT_FOUND, "no app named " + name + " is deployed on this device");
        }
        return action.apply(app.get());
    }

    private CommandResult list() {
        List<Object> apps = new ArrayList<>();
        for (AppRecord a : state.apps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("app", a.name().value());
            m.put("phase", a.phase().name());
            m.put("generation", a.generation());
            m.put("image", a.image().toString());
            m.put("restarts", a.restarts());
            apps.add(m);
        }
        return CommandResult.ok(apps.size() + " apps", Map.of("apps", apps));
    }

    private CommandResult start(AppRecord app) {
        if (app.phase() == AppPhase.RUNNING && launcher.isRunning(app.container())) {
            return CommandResult.ok("app " + app.name() + " is already running", Map.of("phase", "RUNNING"));
        }
        Optional<CommandResult> refused = beyondPolicy(app);
        if (refused.isPresent()) {
            return refused.get();
        }
        AppRecord running = app.operatorStarted(clock.instant());
        try {
            state.put(running);
            launcher.start(app.name(), app.container(), paths.generation(app.name(), app.generation()),
                    pid -> supervisor.watch(app.container(), pid));
            return CommandResult.ok("app " + app.name() + " started", Map.of("phase", "RUNNING", "container", app.container().value()));
        } catch (RuntimeFailure e) {
            save(app.withPhase(AppPhase.FAILED, clock.instant()));
            return CommandResult.error(ErrorCode.RUNTIME_ERROR, e.getMessage());
        } catch (IOException e) {
            return CommandResult.error(ErrorCode.STORAGE_ERROR, "could not record the start of " + app.name() + ": " + e.getMessage());
        }
    }

    private Optional<CommandResult> beyondPolicy(AppRecord app) {
        List<String> beyond = policy.apply(app);
        return beyond.isEmpty() ? Optional.empty() : Optional.of(CommandResult.error(ErrorCode.NOT_PERMITTED, "app " + app.name()
                + " is beyond the policy in force and may not start: " + String.join("; ", beyond)));
    }

    private CommandResult stop(AppRecord app) {
        // Recorded first, so the supervisor sees an operator's stop and restarts nothing.
        AppRecord stopped = app.withPhase(AppPhase.STOPPED, clock.instant());
        try {
            state.put(stopped);
        } catch (IOException e) {
            return CommandResult.error(ErrorCode.STORAGE_ERROR, "could not record the stop of " + app.name() + ": " + e.getMessage());
        }
        Optional<String> problem = launcher.stop(app.container());
        if (problem.isPresent()) {
            return CommandResult.error(ErrorCode.RUNTIME_ERROR, "stopping " + app.container() + ": " + problem.get());
        }
        return CommandResult.ok("app " + app.name() + " stopped", Map.of("phase", "STOPPED"));
    }

    private CommandResult remove(AppRecord app, AppOrder order, boolean purge) {
        CommandResult stopped = stop(app);
        if (!stopped.ok()) {
            return stopped;
        }
        try {
            state.remove(app.name(), order.id());
        } catch (IOException e) {
            return CommandResult.error(ErrorCode.STORAGE_ERROR, "removing " + app.name() + " failed part-way: " + e.getMessage()
                    + "; its container is stopped, send remove again to finish");
        }
        return finishRemove(app.name(), purge, "");
    }

    /**
     * The same remove order delivered again after the agent died between forgetting the app and recording the reply
     * (the broker redelivers what was not acknowledged): its folders, log and blobs may be half gone, so it finishes
     * them and answers as the first delivery would have, not NOT_FOUND.
     */
    private Optional<CommandResult> removeAgain(AppOrder order) {
        AppName name = order.requireApp();
        if (state.app(name).isPresent() || !state.removedBy(name).equals(Optional.of(order.id()))) {
            return Optional.empty();
        }
        Logger.info("app={} finishing remove {}, which an earlier run of the agent did not finish", name, order.id());
        return Optional.of(finishRemove(name, order.purge(), " (finished after an agent restart)"));
    }

    /** What follows forgetting the app's record: its generations, log, volumes if asked, and the blobs now unused. */
    private CommandResult finishRemove(AppName name, boolean purge, String note) {
        try {
            Trees.deleteRecursively(paths.app(name));
            launcher.forgetLogs(name);
            Trees.deleteRecursively(paths.log(name).getParent());
            if (purge) {
                Trees.deleteRecursively(paths.volume(name, "x").getParent());
            }
        } catch (IOException e) {
            return CommandResult.error(ErrorCode.STORAGE_ERROR, "removing " + name + " failed part-way: " + e.getMessage()
                    + "; its container is stopped, send remove again to finish");
        }
        deployer.collectGarbage((type, details) -> { });
        return CommandResult.ok("app " + name + " removed" + (purge ? " with its volumes" : "; its volumes are kept") + note,
                Map.of("purged", purge));
    }

    /**
     * The last {@code tail} lines of the app's log (and of the rotated one before it when needed), at most 64 KiB.
     * Only the last 64 KiB of each file is ever read, whatever the file holds: a line longer than that comes back
     * as its end, with {@code truncated} set.
     */
    CommandResult logs(AppRecord app, int tail) {
        Path log = paths.log(app.name());
        Deque<String> lines = new ArrayDeque<>();
        boolean truncated = false;
        try {
            for (Path file : List.of(log, log.resolveSibling(log.getFileName() + ".1"))) {
                if (lines.size() >= tail || truncated || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Tail older = lastLines(file, tail - lines.size(), MAX_LOG_REPLY_BYTES - 1);
                truncated |= older.cut();
                for (int i = older.lines().size() - 1; i >= 0; i--) {
                    lines.addFirst(older.lines().get(i));
                }
            }
            int bytes = 0;
            List<String> out = new ArrayList<>();
            for (var it = lines.descendingIterator(); it.hasNext(); ) {
                String line = it.next();
                bytes += line.length() + 1;
                if (bytes > MAX_LOG_REPLY_BYTES) {
                    truncated = true;
                    break;
                }
                out.add(0, line);
            }
            return CommandResult.ok(out.size() + " lines of " + app.name(), Map.of("app", app.name().value(), "lines", out,
                    "truncated", truncated));
        } catch (IOException e) {
            return CommandResult.error(ErrorCode.STORAGE_ERROR, "reading the log of " + app.name() + ": " + e.getMessage());
        }
    }

    /** The last lines of a file; {@code cut} when the window ended inside a line (its end is then the first line). */
    record Tail(List<String> lines, boolean cut) {}

    /**
     * The last {@code n} lines among the final {@code maxBytes} of the file: one read of at most {@code maxBytes},
     * so neither a huge file nor one without newlines costs more than that.
     */
    static Tail lastLines(Path file, int n, int maxBytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long end = f.length();
            long start = Math.max(0, end - maxBytes);
            byte[] window = new byte[(int) (end - start)];
            f.seek(start);
            f.readFully(window);
            List<String> all = new ArrayList<>(List.of(new String(window, StandardCharsets.UTF_8).split("\n", -1)));
            if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
                all.remove(all.size() - 1);
            }
            boolean cut = false;
            if (start > 0 && !all.isEmpty()) {
                if (all.size() > 1) {
                    all.remove(0); // the window began inside this line
                } else {
                    cut = true; // one line longer than the window: its end is all there is to show
                }
            }
            if (start > 0 && all.size() < n) {
                cut = true; // older lines exist in this file beyond the window
            }
            return new Tail(all.size() > n ? List.copyOf(all.subList(all.size() - n, all.size())) : all, cut);
        }
    }

    private void save(AppRecord app) {
        try {
            state.put(app);
        } catch (IOException e) {
            // the phase is reported in the reply; the record catches up on the next change
        }
    }
}
