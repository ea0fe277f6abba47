package dev.edgeagent.agent.supervise;

import dev.edgeagent.agent.AgentPaths;
import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.ExitRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.ContainerState;
import dev.edgeagent.runtime.RuntimeFailure;
import dev.edgeagent.runtime.supervise.CgroupFiles;
import dev.edgeagent.runtime.supervise.CgroupStats;
import dev.edgeagent.runtime.supervise.ChildReaper;
import dev.edgeagent.runtime.supervise.ExitStatus;
import dev.edgeagent.runtime.supervise.RestartPolicy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Watches every app's container: learns how it ended (exit code from the reaper, OOM from its cgroup), applies the
 * restart policy with backoff, re-adopts containers after an agent restart without ever starting a duplicate,
 * and keeps logs under their cap. Every state change runs on the agent's operations thread.
 */
public final class AppSupervisor {
    /** What the supervisor tells the control plane. */
    public interface Listener {
        void event(AppRecord app, String type, Map<String, Object> details);

        void statusChanged();
    }

    private final StateStore state;
    private final ContainerLauncher launcher;
    private final AgentPaths paths;
    private final Optional<ChildReaper> reaper;
    private final CgroupFiles cgroups;
    private final Executor operations;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    /** The main process each container's exit is awaited for (a restarted container has a new one). */
    private final Map<ContainerId, Long> watched = new ConcurrentHashMap<>();
    private Listener listener;
    private final String cgroupParent;

    public AppSupervisor(StateStore state, ContainerLauncher launcher, AgentPaths paths, Optional<ChildReaper> reaper,
            CgroupFiles cgroups, String cgroupParent, Executor operations, ScheduledExecutorService timer, Clock clock) {
        this.cgroupParent = cgroupParent;
        this.state = state;
        this.launcher = launcher;
        this.paths = paths;
        this.reaper = reaper;
        this.cgroups = cgroups;
        this.operations = operations;
        this.timer = timer;
        this.clock = clock;
    }

    public void listen(Listener l) {
        this.listener = l;
    }

    /** Waits for the main process {@code pid} of {@code container}; called as soon as the runtime has created it. */
    public void watch(ContainerId container, long pid) {
        // Keyed by pid too: a restart (stop and start in one operation) watches the new process while the old one's
        // end is still queued behind it; skipping it, as a set of names did, left it unreaped (a zombie per restart)
        // and its exit unseen.
        if (pid <= 0 || reaper.isEmpty() || Long.valueOf(pid).equals(watched.put(container, pid))) {
            return;
        }
        reaper.get().watch(pid, container.value()).whenComplete((status, notOurs) -> operations.execute(() -> {
            // Removed here, on the operations thread, so poll() never mistakes a reaped exit for an unwatched one.
            boolean current = watched.remove(container, pid); // false: a newer process of this container is watched
            if (notOurs == null && current) {
                onExit(container, ExitStatus.fromWaitStatus(status, false));
            }
            // Not our child (adopted after an agent restart): poll() notices the end instead.
        }));
    }

    /** At agent start: watch what still runs, account for what ended meanwhile, resume pending restarts. */
    public void adoptAll() {
        for (AppRecord app : state.apps()) {
            try {
                // The app kept writing into its pipe while no agent ran; draining resumes before anything else.
                launcher.followLogs(app.name());
            } catch (RuntimeFailure e) {
                Logger.warn("app={} {}", app.name(), e.getMessage());
            }
            switch (app.phase()) {
                case RUNNING -> {
                    Optional<ContainerState> s = stateOf(app.container());
                    if (s.isPresent() && s.get().status().isRunning()) {
                        Logger.info("app={} re-adopted running container {} (pid {})", app.name(), app.container(), s.get().pid());
                        watch(app.container(), s.get().pid());
                    } else {
                        onExit(app.container(), ExitStatus.UNKNOWN);
                    }
                }
                case RESTARTING -> scheduleRestart(app, Duration.ZERO);
                default -> { }
            }
        }
    }

    /** Every tick: ends the reaper could not see (logs are capped as they are written, by the launcher's LogPump). */
    public void poll() {
        for (AppRecord app : state.apps()) {
            if (app.phase() == AppPhase.RUNNING && !watched.containsKey(app.container())) {
                Optional<ContainerState> s = stateOf(app.container());
                if (s.isPresent() && (s.get().status().isRunning() || s.get().status() == ContainerState.Status.CREATED)) {
                    continue;
                }
                onExit(app.container(), ExitStatus.UNKNOWN);
            }
        }
    }

    public Optional<CgroupStats> stats(AppRecord app) {
        return cgroups.stats(cgroupParent + "/" + app.container().value());
    }

    /** A container ended. Ignored unless it is the running container of an app (a replaced one is not). */
    void onExit(ContainerId container, ExitStatus reaped) {
        Optional<AppRecord> found = state.apps().stream()
                .filter(a -> a.container().equals(container) && a.phase() == AppPhase.RUNNING).findFirst();
        if (found.isEmpty()) {
            return;
        }
        AppRecord app = found.get();
        if (launcher.isRunning(container)) {
            return; // a stale notice: the container was started again under the same name meanwhile
        }
        boolean oom = stats(app).map(s -> s.oomKills() > 0).orElse(false);
        ExitStatus status = reaped.withOom(reaped.oomKilled() || oom);
        try {
            launcher.runtime().delete(container, true);
        } catch (RuntimeFailure e) {
            Logger.warn("app={} deleting stopped container {} failed: {}", app.name(), container, e.getMessage());
        }
        Instant now = clock.instant();
        boolean ranHealthy = Duration.between(app.since(), now).compareTo(RestartPolicy.HEALTHY_RUN) >= 0;
        int consecutive = ranHealthy ? 0 : app.consecutiveFailures();
        Optional<Duration> delay = RestartPolicy.of(app.restart()).next(status, consecutive);
        AppRecord updated = app.exited(new ExitRecord(status, now), delay.isPresent() ? AppPhase.RESTARTING : AppPhase.EXITED,
                delay.isPresent() ? consecutive + 1 : consecutive);
        save(updated);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("container", container.value());
        details.put("generation", app.generation());
        status.code().ifPresent(c -> details.put("exitCode", c));
        status.signal().ifPresent(s -> details.put("signal", s));
        details.put("oomKilled", status.oomKilled());
        details.put("message", status.describe());
        delay.ifPresent(d -> details.put("restartInMillis", d.toMillis()));
        Logger.info("app={} container {} {}{}", app.name(), container, status.describe(),
                delay.map(d -> "; restarting in " + d.toMillis() + " ms").orElse("; staying stopped"));
        listener.event(updated, status.oomKilled() ? "container.oom-killed" : "container.exited", details);
        listener.statusChanged();
        delay.ifPresent(d -> scheduleRestart(updated, d));
    }

    private void scheduleRestart(AppRecord app, Duration delay) {
        timer.schedule(() -> operations.execute(() -> restart(app.name(), app.container())), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void restart(AppName name, ContainerId container) {
        Optional<AppRecord> current = state.app(name);
        if (current.isEmpty() || !current.get().container().equals(container) || current.get().phase() != AppPhase.RESTARTING) {
            return; // replaced, removed or already running meanwhile
        }
        AppRecord app = current.get();
        try {
            AppRecord running = app.restarted(clock.instant());
            save(running);
            launcher.start(name, container, paths.generation(name, app.generation()), pid -> watch(container, pid));
            listener.event(running, "container.restarted", Map.of("container", container.value(), "restarts", running.restarts()));
            listener.statusChanged();
        } catch (RuntimeFailure e) {
            Logger.warn("app={} restart failed: {}", name, e.getMessage());
            int consecutive = app.consecutiveFailures();
            Duration delay = RestartPolicy.of(app.restart()).next(ExitStatus.UNKNOWN, consecutive).orElse(Duration.ofMinutes(5));
            AppRecord failed = app.exited(new ExitRecord(ExitStatus.UNKNOWN, clock.instant()), AppPhase.RESTARTING, consecutive + 1);
            save(failed);
            listener.event(failed, "container.start-failed", Map.of("container", container.value(), "message", e.getMessage(),
                    "restartInMillis", delay.toMillis()));
            listener.statusChanged();
            scheduleRestart(failed, delay);
        }
    }

    private Optional<ContainerState> stateOf(ContainerId container) {
        try {
            return launcher.runtime().state(container);
        } catch (RuntimeFailure e) {
            Logger.warn("state of {} unknown: {}", container, e.getMessage());
            return Optional.of(new ContainerState(container, ContainerState.Status.RUNNING, 0));
        }
    }

    private void save(AppRecord app) {
        try {
            state.put(app);
        } catch (IOException e) {
            Logger.error("app={} could not record phase {}: {}", app.name(), app.phase(), e.getMessage());
        }
    }
}
