package dev.edgeagent.agent.status;

import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.ContainerState;
import dev.edgeagent.runtime.RuntimeFailure;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.tinylog.Logger;

/**
 * Builds the retained status document from what the agent remembers and what the runtime says now, and notices
 * containers that stopped on their own.
 */
public final class StatusReporter {
    public static final String AGENT_VERSION = "0.1.0";

    private final DeviceId device;
    private final DeviceProfile profile;
    private final StateStore state;
    private final ContainerRuntime runtime;
    private final Clock clock;
    private Map<String, Object> lastError;

    public StatusReporter(DeviceId device, DeviceProfile profile, StateStore state, ContainerRuntime runtime, Clock clock) {
        this.device = device;
        this.profile = profile;
        this.state = state;
        this.runtime = runtime;
        this.clock = clock;
    }

    public void recordError(OperationId op, ErrorCode code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("op", op == null ? null : op.value());
        e.put("code", code.name());
        e.put("message", message);
        e.put("time", clock.instant().toString());
        lastError = e;
    }

    /**
     * Compares each app's remembered phase with the runtime's view; a container that stopped by itself is recorded
     * as EXITED (or MISSING when the runtime forgot it, as after a reboot) and reported through {@code changed}.
     */
    public void refresh(Consumer<AppRecord> changed) {
        for (AppRecord app : state.apps()) {
            AppPhase now;
            try {
                Optional<ContainerState> s = runtime.state(app.container());
                now = s.isEmpty() ? AppPhase.MISSING : s.get().status().isRunning() ? AppPhase.RUNNING : AppPhase.EXITED;
            } catch (RuntimeFailure e) {
                Logger.warn("app={} state check failed: {}", app.name(), e.getMessage());
                continue;
            }
            if (now != app.phase()) {
                AppRecord updated = app.withPhase(now, clock.instant());
                try {
                    state.put(updated);
                } catch (IOException e) {
                    Logger.error("app={} could not record phase {}: {}", app.name(), now, e.getMessage());
                }
                changed.accept(updated);
            }
        }
    }

    public byte[] document() {
        Map<String, Object> apps = new LinkedHashMap<>();
        for (AppRecord a : state.apps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("phase", a.phase().name());
            m.put("image", a.image().toString());
            m.put("manifestDigest", a.manifestDigest().toString());
            m.put("generation", a.generation());
            m.put("container", a.container().value());
            m.put("idRange", Map.of("hostStart", a.ids().hostStart(), "size", a.ids().size()));
            m.put("limits", Map.of("memoryBytes", a.limits().memoryBytes(), "pids", a.limits().pids()));
            m.put("since", a.since().toString());
            apps.put(a.name().value(), m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("device", device.value());
        doc.put("time", clock.instant().toString());
        doc.put("agent", Map.of("version", AGENT_VERSION));
        doc.put("profile", profile.name());
        doc.put("platform", profile.platform().toString());
        doc.put("runtime", runtime.describe());
        doc.put("apps", apps);
        doc.put("lastError", lastError);
        return Json.compact(doc);
    }
}
