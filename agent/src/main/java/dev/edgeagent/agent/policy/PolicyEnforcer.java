package dev.edgeagent.agent.policy;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.profiles.AppGrants;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.SignedPolicy.Enforcement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tinylog.Logger;

/**
 * Holds running apps to the policy in force. A new policy names each app beyond it ({@code policy.violation}); where
 * it says {@code stop}, a violating app is stopped and held ({@code trust/policy-held.json}, the moment it was stopped)
 * until a policy admits it, which starts it again — unless someone acted on the app meanwhile (its record moved on).
 * Nothing running is restarted because a policy got looser.
 */
public final class PolicyEnforcer {
    /** One app beyond the policy, with every reason. */
    public record Violation(AppName app, List<String> reasons) {
        public Violation {
            reasons = List.copyOf(reasons);
        }
    }

    /** What the enforcer may do to an app: the same stop and start an operator's order runs. */
    public interface Actions {
        CommandResult stop(AppName app, String why);

        CommandResult start(AppName app, String why);
    }

    /** Where the enforcer's events go ({@code policy.violation}, {@code policy.restored}). */
    public interface Events {
        void emit(String app, String type, Map<String, Object> details);
    }

    private final Path heldFile;
    private final StateStore state;
    private final Actions actions;
    private final Events events;
    /** App → the {@code since} of its STOPPED record when the policy stopped it. */
    private final Map<String, String> held = new TreeMap<>();

    public PolicyEnforcer(Path trustDir, StateStore state, Actions actions, Events events) throws IOException {
        this.heldFile = trustDir.resolve("policy-held.json");
        this.state = state;
        this.actions = actions;
        this.events = events;
        if (Files.exists(heldFile)) {
            Object apps = Json.object(Files.readAllBytes(heldFile)).get("held");
            if (apps instanceof Map<?, ?> m) {
                m.forEach((k, v) -> held.put(String.valueOf(k), String.valueOf(v)));
            }
        }
    }

    /** Every app whose recorded limits and grants {@code profile} would not admit. Pure. */
    public static List<Violation> check(DeviceProfile profile, List<AppRecord> apps) {
        List<Violation> out = new ArrayList<>();
        for (AppRecord a : apps) {
            List<String> reasons = profile.violations(a.limits(), a.grants().orElse(AppGrants.NONE));
            if (!reasons.isEmpty()) {
                out.add(new Violation(a.name(), reasons));
            }
        }
        return out;
    }

    /** What {@code profile} says about one app before it is started: empty when it may run. */
    public static List<String> violations(DeviceProfile profile, AppRecord app) {
        return profile.violations(app.limits(), app.grants().orElse(AppGrants.NONE));
    }

    /** Applies a newly accepted policy to what is deployed: reports, stops where it says so, starts what it admits again. */
    public synchronized void enforce(Policy policy) {
        List<Violation> found = check(policy.profile(), state.apps());
        List<String> violating = new ArrayList<>();
        for (Violation v : found) {
            String app = v.app().value();
            violating.add(app);
            AppRecord record = state.app(v.app()).orElseThrow();
            boolean active = record.phase() == AppPhase.RUNNING || record.phase() == AppPhase.RESTARTING;
            String action = policy.enforcement() == Enforcement.STOP && active ? "stop" : held.containsKey(app) ? "held" : "report";
            Logger.warn("op=policy app={} beyond policy v{} ({}): {}", app, policy.version(), action, String.join("; ", v.reasons()));
            events.emit(app, "policy.violation", Map.of("version", policy.version(), "reasons", v.reasons(), "action", action));
            if (action.equals("stop")) {
                CommandResult r = actions.stop(v.app(), "policy-v" + policy.version() + "-" + app);
                Optional<AppRecord> stopped = state.app(v.app());
                if (r.ok() && stopped.isPresent()) {
                    held.put(app, stopped.get().since().toString());
                } else {
                    Logger.error("op=policy app={} could not be stopped: {}", app, r.message());
                }
            }
        }
        for (String app : new ArrayList<>(held.keySet())) {
            if (violating.contains(app)) {
                continue;
            }
            String since = held.remove(app);
            Optional<AppRecord> record = state.app(new AppName(app));
            if (record.isPresent() && record.get().phase() == AppPhase.STOPPED && record.get().since().toString().equals(since)) {
                CommandResult r = actions.start(record.get().name(), "policy-v" + policy.version() + "-" + app);
                Logger.info("op=policy app={} admitted again by policy v{}: {}", app, policy.version(), r.message());
                events.emit(app, "policy.restored", Map.of("version", policy.version(), "ok", r.ok(), "message", r.message()));
            }
        }
        save();
    }

    /** The violations for status: each app beyond the policy in force, its reasons, and whether the policy stopped it. */
    public synchronized List<Object> status(Policy policy) {
        List<Object> out = new ArrayList<>();
        for (Violation v : check(policy.profile(), state.apps())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("app", v.app().value());
            m.put("reasons", v.reasons());
            m.put("stopped", held.containsKey(v.app().value()));
            out.add(m);
        }
        return out;
    }

    private void save() {
        try {
            AtomicFiles.write(heldFile, Json.pretty(Map.of("version", 1, "held", new LinkedHashMap<>(held))));
        } catch (IOException e) {
            Logger.error("op=policy could not record which apps the policy holds stopped: {}", e.getMessage());
        }
    }
}
