package dev.edgeagent.agent.status;

import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.agent.supervise.AppSupervisor;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.ContainerRuntime;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the retained status document from what the agent remembers and what the cgroups say now. */
public final class StatusReporter {
    /** The version of the code running now (the jar's own marker). */
    public static final String AGENT_VERSION = dev.edgeagent.agent.RunningVersion.get().toString();

    private final DeviceId device;
    private final java.util.function.Supplier<DeviceProfile> profile;
    private final StateStore state;
    private final ContainerRuntime runtime;
    private final AppSupervisor supervisor;
    private final String runtimeChoice;
    private final Clock clock;
    private final java.time.Instant startedAt;
    private Map<String, Object> lastError;
    private java.util.function.LongSupplier dropped = () -> 0;

    private java.util.function.Supplier<Map<String, Object>> desired = Map::of;

    private java.util.function.Supplier<Map<String, Object>> trust = () -> Map.of("mode", "unsigned-lab");

    private java.util.List<String> groups = java.util.List.of();

    private java.util.function.Supplier<Map<String, Object>> agent = () -> Map.of("version", AGENT_VERSION);

    /** Where the agent summary (its version, the last self-update's outcome) comes from. */
    public void agentFrom(java.util.function.Supplier<Map<String, Object>> source) {
        this.agent = source;
    }

    /** The groups this device follows, so an operator's rollout can find the group's members from their status. */
    public void groups(java.util.List<String> names) {
        this.groups = java.util.List.copyOf(names);
    }

    private java.util.function.Supplier<Map<String, Object>> policy = () -> null;

    /** Where the policy summary (name, version, digest, violations) comes from. */
    public void policyFrom(java.util.function.Supplier<Map<String, Object>> source) {
        this.policy = source;
    }

    private java.util.function.Supplier<Map<String, Object>> audit = () -> null;

    /** Where the audit trail's head comes from. */
    public void auditFrom(java.util.function.Supplier<Map<String, Object>> source) {
        this.audit = source;
    }

    /** Where the trust summary (mode, document version) comes from. */
    public void trustFrom(java.util.function.Supplier<Map<String, Object>> source) {
        this.trust = source;
    }

    /** Where what signed orders say about the device's clock comes from; null in it: nothing wrong seen. */
    public void clockFrom(java.util.function.Supplier<Map<String, Object>> source) {
        this.clockSkew = source;
    }

    private java.util.function.Supplier<Map<String, Object>> clockSkew = () -> null;

    /** Where the desired-state outcome comes from (the reconciler). */
    public void desiredFrom(java.util.function.Supplier<Map<String, Object>> source) {
        this.desired = source;
    }

    /** Where a container's bridge network (addresses per network, published ports) comes from; absent: none. */
    public void networksFrom(java.util.function.Function<String, java.util.Optional<Map<String, Object>>> source) {
        this.network = source;
    }

    private java.util.function.Function<String, java.util.Optional<Map<String, Object>>> network = c -> java.util.Optional.empty();

    /** Where the count of events lost while offline comes from (the control channel). */
    public void countDroppedFrom(java.util.function.LongSupplier source) {
        this.dropped = source;
    }

    public StatusReporter(DeviceId device, java.util.function.Supplier<DeviceProfile> profile, StateStore state, ContainerRuntime runtime, String runtimeChoice,
            AppSupervisor supervisor, Clock clock) {
        this.device = device;
        this.profile = profile;
        this.state = state;
        this.runtime = runtime;
        this.runtimeChoice = runtimeChoice;
        this.supervisor = supervisor;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    public void recordError(OperationId op, ErrorCode code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("op", op == null ? null : op.value());
        e.put("code", code.name());
        e.put("message", message);
        e.put("time", clock.instant().toString());
        lastError = e;
    }

    public byte[] document() {
        Map<String, Object> apps = new LinkedHashMap<>();
        for (AppRecord a : state.apps()) {
            apps.put(a.name().value(), appDocument(a));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("device", device.value());
        doc.put("time", clock.instant().toString());
        doc.put("agent", agent.get());
        doc.put("profile", profile.get().name());
        doc.put("groups", groups);
        doc.put("platform", profile.get().platform().toString());
        doc.put("runtime", runtime.describe());
        doc.put("runtimeChoice", runtimeChoice);
        doc.put("apps", apps);
        doc.put("lastError", lastError);
        doc.put("eventsDropped", dropped.getAsLong());
        Map<String, Object> d = desired.get();
        doc.put("desired", d.isEmpty() ? null : d);
        doc.put("trust", trust.get());
        Map<String, Object> p = policy.get();
        if (p != null) {
            doc.put("policy", p);
        }
        Map<String, Object> a = audit.get();
        if (a != null) {
            doc.put("audit", a);
        }
        Map<String, Object> skew = clockSkew.get();
        if (skew != null) {
            doc.put("clock", skew);
        }
        return Json.compact(doc);
    }

    /** What the agent is, for the info command. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device.value());
        m.put("agent", AGENT_VERSION);
        m.put("profile", profile.get().name());
        m.put("platform", profile.get().platform().toString());
        m.put("runtime", runtime.describe());
        m.put("runtimeChoice", runtimeChoice);
        m.put("apps", state.apps().size());
        m.put("startedAt", startedAt.toString());
        return m;
    }

    /** One app as status and inspect show it. */
    public Map<String, Object> appDocument(AppRecord a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", a.phase().name());
        m.put("image", a.image().toString());
        m.put("manifestDigest", a.manifestDigest().toString());
        m.put("generation", a.generation());
        m.put("container", a.container().value());
        m.put("idRange", Map.of("hostStart", a.ids().hostStart(), "size", a.ids().size()));
        m.put("limits", Map.of("memoryBytes", a.limits().memoryBytes(), "pids", a.limits().pids(),
                "cpus", a.limits().cpuMillis() / 1000.0));
        a.grants().ifPresent(g -> m.put("grants", g.toMap()));
        a.limitOrigin().ifPresent(o -> m.put("limitsFrom", o.toWire()));
        m.put("restart", a.restart().wire());
        m.put("restarts", a.restarts());
        network.apply(a.container().value()).ifPresent(n -> m.put("network", n));
        m.put("since", a.since().toString());
        a.lastExit().ifPresent(e -> {
            Map<String, Object> x = new LinkedHashMap<>();
            e.status().code().ifPresent(c -> x.put("code", c));
            e.status().signal().ifPresent(s -> x.put("signal", s));
            x.put("oomKilled", e.status().oomKilled());
            x.put("message", e.status().describe());
            x.put("at", e.at().toString());
            m.put("lastExit", x);
        });
        if (a.phase().isRunning()) {
            supervisor.stats(a).ifPresent(s -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("memoryBytes", s.memoryBytes());
                r.put("cpuNanos", s.cpuNanos());
                r.put("pids", s.pids());
                m.put("usage", r);
            });
        }
        return m;
    }
}
