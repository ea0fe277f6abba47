package dev.edgeagent.agent.supervise;

import dev.edgeagent.agent.AgentPaths;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.ContainerState;
import dev.edgeagent.runtime.RuntimeFailure;
import dev.edgeagent.runtime.supervise.LogPump;
import java.io.IOException;
import dev.edgeagent.runtime.network.AppNetworks;
import dev.edgeagent.runtime.network.NetworkPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Starts and stops one container through the runtime; the one place that knows the order of those calls. */
public final class ContainerLauncher {
    public static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final ContainerRuntime runtime;
    private final AgentPaths paths;
    private final LogPump logs;
    private final AppNetworks networks;

    public ContainerLauncher(ContainerRuntime runtime, AgentPaths paths, LogPump logs, AppNetworks networks) {
        this.runtime = runtime;
        this.paths = paths;
        this.logs = logs;
        this.networks = networks;
    }

    public AppNetworks networks() {
        return networks;
    }

    /** The app's log pipe: its containers write into it, the agent drains it into {@code paths.log(app)}. */
    public Path logPipe(AppName app) {
        return paths.log(app).resolveSibling(app.value() + ".pipe");
    }

    /** Drains the app's log pipe into its log files (at start, for apps a previous agent ran; idempotent). */
    public void followLogs(AppName app) throws RuntimeFailure {
        try {
            logs.follow(app.value(), logPipe(app), paths.log(app));
        } catch (IOException e) {
            throw new RuntimeFailure("cannot follow the log of " + app + ": " + e.getMessage(), e);
        }
    }

    /** Stops draining the app's log pipe, after what is in it is written (before the app's log folder is removed). */
    public void forgetLogs(AppName app) {
        logs.forget(app.value());
    }

    public ContainerRuntime runtime() {
        return runtime;
    }

    /**
     * Creates and starts the container from its bundle; returns the pid of its main process, which {@code created}
     * also gets before the process starts, so its end is never missed. A process that exits at once is not a failure
     * here: the supervisor learns how it ended and applies the restart policy.
     */
    public long start(AppName app, ContainerId container, Path bundle, java.util.function.LongConsumer created)
            throws RuntimeFailure {
        followLogs(app);
        Optional<ContainerState> existing = runtime.state(container);
        if (existing.isPresent() && existing.get().status().isRunning()) {
            // Never a duplicate: a running container of this name is the one we want.
            created.accept(existing.get().pid());
            return existing.get().pid();
        }
        runtime.delete(container, true);
        Optional<NetworkPlan> plan = networkPlan(container, bundle);
        // A bridge app's network is wired while runc creates the container in its namespace (the process it runs
        // starts only at runc start): its start costs the longer of the two, not their sum.
        long pid = plan.isEmpty() ? runtime.create(container, bundle, logPipe(app))
                : networks.attachDuring(container.value(), plan.get(), () -> runtime.create(container, bundle, logPipe(app)), () -> {
                    runtime.delete(container, true);
                    return null;
                });
        created.accept(pid);
        runtime.start(container);
        return pid;
    }

    /** SIGTERM, a grace period, SIGKILL; then the container is deleted. Never throws: stopping is best effort. */
    public Optional<String> stop(ContainerId container) {
        try {
            if (isRunning(container)) {
                runtime.kill(container, "TERM");
                long deadline = System.nanoTime() + STOP_GRACE.toNanos();
                while (System.nanoTime() < deadline && isRunning(container)) {
                    Thread.sleep(50);
                }
                if (isRunning(container)) {
                    runtime.kill(container, "KILL");
                }
            }
            runtime.delete(container, true);
            networks.detach(container.value());
            return Optional.empty();
        } catch (RuntimeFailure e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** A bridge app's network plan, kept in its bundle; empty for the other modes. */
    private static Optional<NetworkPlan> networkPlan(ContainerId container, Path bundle) throws RuntimeFailure {
        try {
            return NetworkPlan.readFrom(bundle);
        } catch (java.io.IOException | RuntimeException e) {
            throw new RuntimeFailure("could not read the network plan of " + container + ": " + e.getMessage(), e);
        }
    }

    public boolean isRunning(ContainerId container) {
        try {
            return runtime.state(container).map(s -> s.status().isRunning()).orElse(false);
        } catch (RuntimeFailure e) {
            return false;
        }
    }
}
