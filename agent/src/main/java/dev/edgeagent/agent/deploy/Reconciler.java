package dev.edgeagent.agent.deploy;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.DesiredState;
import dev.edgeagent.protocol.wire.DesiredStateJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.tinylog.Logger;

/**
 * Brings the device to its newest desired state: every app listed deployed as listed, every other app removed.
 * A version no newer than the accepted one is refused (anti-rollback); the device's own document outranks its
 * groups' once one has arrived. The accepted document is on disk before anything is done, so a restart resumes it.
 */
public final class Reconciler {
    /** What the reconciler reports, as events and in status. */
    public interface Report {
        void event(String type, Map<String, Object> details);
    }

    private final DesiredStore store;
    private final StateStore state;
    private final String device;
    private final Set<String> targets;
    private final int maxBytes;
    private final Function<DeployOrder, CommandResult> deploy;
    private final Function<AppName, CommandResult> remove;
    private Map<String, Object> lastOutcome = Map.of();
    /** Failures that may pass by themselves: the registry or the network away, a disk that was full. */
    static final Set<String> PASSING = Set.of("REGISTRY_UNREACHABLE", "REGISTRY_ERROR", "INSUFFICIENT_STORAGE", "STORAGE_ERROR");
    static final java.time.Duration FIRST_RETRY = java.time.Duration.ofSeconds(30);
    static final java.time.Duration LAST_RETRY = java.time.Duration.ofMinutes(15);
    private java.time.Instant nextRetry = java.time.Instant.MAX;
    private java.time.Duration retryDelay = FIRST_RETRY;

    public Reconciler(DesiredStore store, StateStore state, String device, Set<String> targets, int maxBytes,
            Function<DeployOrder, CommandResult> deploy, Function<AppName, CommandResult> remove) {
        this.store = store;
        this.state = state;
        this.device = device;
        this.targets = Set.copyOf(targets);
        this.maxBytes = maxBytes;
        this.deploy = deploy;
        this.remove = remove;
    }

    /** The desired version and how applying it went, for status. */
    public Map<String, Object> outcome() {
        return lastOutcome;
    }

    /** A desired-state document arrived (retained, so also at every connect). */
    public void received(byte[] payload, Report report) {
        Decoded<DesiredState> d = DesiredStateJson.decode(payload, maxBytes, targets);
        if (d instanceof Decoded.Rejected<DesiredState> r) {
            Logger.warn("desired state refused: {} {}", r.code(), r.message());
            report.event("desired.refused", Map.of("code", r.code().name(), "message", r.message()));
            return;
        }
        DesiredState desired = ((Decoded.Ok<DesiredState>) d).value();
        try {
            Optional<DesiredStore.Accepted> current = store.load();
            if (current.isPresent()) {
                DesiredStore.Accepted c = current.get();
                boolean fromGroup = !desired.target().equals(device);
                if (fromGroup && c.target().equals(device)) {
                    Logger.info("desired state v{} for {} ignored: this device has its own", desired.version(), desired.target());
                    return;
                }
                if (desired.version() == c.version() && Arrays.equals(payload, c.document())) {
                    return; // the retained copy again, at a reconnect
                }
                if (desired.version() <= c.version() && desired.target().equals(c.target())) {
                    String why = "version " + desired.version() + " is not newer than the accepted version " + c.version();
                    Logger.warn("desired state refused: {}", why);
                    report.event("desired.refused", Map.of("code", "ROLLBACK_REFUSED", "message", why));
                    return;
                }
            }
            store.save(new DesiredStore.Accepted(desired.version(), desired.target(), payload, false));
        } catch (IOException e) {
            Logger.error("desired state v{} could not be recorded: {}", desired.version(), e.getMessage());
            report.event("desired.failed", Map.of("version", desired.version(), "message", "could not record it: " + e.getMessage()));
            return;
        }
        apply(desired, payload, report);
    }

    /**
     * On the agent's tick: applies the accepted document again when it failed only for reasons that pass by
     * themselves, after 30 s, then doubling up to 15 min, so a device offline from its registry converges alone.
     */
    public boolean retryIfDue(java.time.Instant now, Report report) {
        if (now.isBefore(nextRetry)) {
            return false;
        }
        try {
            Optional<DesiredStore.Accepted> current = store.load();
            if (current.isEmpty() || current.get().applied()) {
                nextRetry = java.time.Instant.MAX;
                return false;
            }
            Decoded<DesiredState> d = DesiredStateJson.decode(current.get().document(), maxBytes, targets);
            if (d instanceof Decoded.Ok<DesiredState> ok) {
                Logger.info("retrying desired state v{} after {}", current.get().version(), retryDelay);
                report.event("desired.retry", Map.of("version", current.get().version()));
                apply(ok.value(), current.get().document(), report, now);
                return true;
            }
        } catch (IOException e) {
            Logger.warn("desired state unreadable at retry: {}", e.getMessage());
        }
        nextRetry = java.time.Instant.MAX;
        return false;
    }

    /** At agent start: finish applying an accepted document that a crash interrupted. */
    public void resume(Report report) {
        try {
            Optional<DesiredStore.Accepted> current = store.load();
            if (current.isPresent()) {
                DesiredStore.Accepted c = current.get();
                Decoded<DesiredState> d = DesiredStateJson.decode(c.document(), maxBytes, targets);
                if (d instanceof Decoded.Ok<DesiredState> ok) {
                    if (c.applied()) {
                        lastOutcome = Map.of("version", c.version(), "target", c.target(), "applied", true);
                    } else {
                        Logger.info("resuming desired state v{}", c.version());
                        apply(ok.value(), c.document(), report);
                    }
                }
            }
        } catch (IOException e) {
            Logger.error("desired state unreadable at start: {}", e.getMessage());
        }
    }

    private void apply(DesiredState desired, byte[] document, Report report) {
        retryDelay = FIRST_RETRY; // a new document, or a restart, starts the backoff afresh
        apply(desired, document, report, java.time.Instant.now());
    }

    private void apply(DesiredState desired, byte[] document, Report report, java.time.Instant now) {
        report.event("desired.accepted", Map.of("version", desired.version(), "target", desired.target(), "apps", desired.apps().size()));
        List<Object> failures = new ArrayList<>();
        for (DeployOrder order : desired.apps()) {
            CommandResult r = deploy.apply(order);
            if (!r.ok()) {
                failures.add(Map.of("app", order.app().value(), "code", r.code().name(), "message", r.message()));
            }
        }
        Set<AppName> wanted = new java.util.HashSet<>();
        desired.apps().forEach(o -> wanted.add(o.app()));
        for (AppRecord app : state.apps()) {
            if (!wanted.contains(app.name())) {
                CommandResult r = remove.apply(app.name());
                if (!r.ok()) {
                    failures.add(Map.of("app", app.name().value(), "code", r.code().name(), "message", r.message()));
                }
            }
        }
        boolean applied = failures.isEmpty();
        try {
            store.save(new DesiredStore.Accepted(desired.version(), desired.target(), document, applied));
        } catch (IOException e) {
            Logger.warn("could not mark desired state v{} applied: {}", desired.version(), e.getMessage());
        }
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("version", desired.version());
        outcome.put("target", desired.target());
        outcome.put("applied", applied);
        if (!applied) {
            outcome.put("failures", failures);
        }
        lastOutcome = outcome;
        boolean passing = !applied && failures.stream().allMatch(f -> PASSING.contains(String.valueOf(((Map<?, ?>) f).get("code"))));
        if (passing) {
            nextRetry = now.plus(retryDelay);
            outcome.put("retryAt", nextRetry.toString());
            retryDelay = retryDelay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryDelay.multipliedBy(2);
        } else {
            nextRetry = java.time.Instant.MAX;
            retryDelay = FIRST_RETRY;
        }
        report.event(applied ? "desired.applied" : "desired.failed", outcome);
    }
}
