package dev.edgeagent.agent.supervise;

import dev.edgeagent.agent.AgentPaths;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.ContainerState;
import dev.edgeagent.runtime.RuntimeFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Starts and stops one container through the runtime; the one place that knows the order of those calls. */
public final class ContainerLauncher {
    public static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final ContainerRuntime runtime;
    private final AgentPaths paths;

    public ContainerLauncher(ContainerRuntime runtime, AgentPaths paths) {
        this.runtime = runtime;
        this.paths = paths;
    }

    public ContainerRuntime runtime() {
        return runtime;
    }

    /** Creates and starts the container from its bundle; returns the pid of its main process. */
    public long start(AppName app, ContainerId container, Path bundle) throws RuntimeFailure {
        Optional<ContainerState> existing = runtime.state(container);
        if (existing.isPresent() && existing.get().status().isRunning()) {
            // Never a duplicate: a running container of this name is the one we want.
            return existing.get().pid();
        }
        runtime.delete(container, true);
        runtime.create(container, bundle, paths.log(app));
        runtime.start(container);
        Optional<ContainerState> s = runtime.state(container);
        if (s.isEmpty() || s.get().status() == ContainerState.Status.STOPPED) {
            throw new RuntimeFailure("container " + container + " exited right after it started (see " + paths.log(app) + ")");
        }
        return s.get().pid();
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
            return Optional.empty();
        } catch (RuntimeFailure e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
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
