package dev.edgeagent.agent.deploy;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.DesiredEnding;
import dev.edgeagent.agent.state.DesiredHighWater;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.DesiredState;
import dev.edgeagent.protocol.wire.DesiredStateJson;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
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
 * A document older than one accepted before is refused (anti-rollback): by version per target, and by signing time
 * across targets; the device's own document outranks its groups' once one has arrived. The accepted document is on
 * disk before anything is done, so a restart resumes it, and how it ended is kept, so a restart leaves an applied,
 * rolled-back or failed one alone.
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
    static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    static final Duration LAST_RETRY = Duration.ofMinutes(15);
    private Instant nextRetry = Instant.MAX;
    private Duration retryDelay = FIRST_RETRY;

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

    private Function<dev.edgeagent.protocol.UpdateAgentOrder, CommandResult> agentUpdate =
            o -> CommandResult.error(dev.edgeagent.protocol.ErrorCode.NOT_PERMITTED, "this agent does not update itself here");
    private Runnable restartIntoUpdate = () -> {};

    /**
     * How a desired state's {@code agent} release is installed (the update-agent path) and what ends this agent once
     * one is, after the document's ending is on record.
     */
    public void updateAgentWith(Function<dev.edgeagent.protocol.UpdateAgentOrder, CommandResult> update, Runnable restart) {
        this.agentUpdate = update;
        this.restartIntoUpdate = restart;
    }

    /** The desired version and how applying it went, for status. */
    public Map<String, Object> outcome() {
        return lastOutcome;
    }

    /** A desired-state document arrived unsigned (lab mode): only the per-target marks apply. */
    public void received(byte[] payload, Report report) {
        received(payload, Optional.empty(), report);
    }

    /**
     * A desired-state document arrived (retained, so also at every connect); {@code issuedAt} is when it was signed,
     * for a signed one.
     */
    public void received(byte[] payload, Optional<Instant> issuedAt, Report report) {
        received(payload, DesiredStateJson.decode(payload, maxBytes, targets), issuedAt, report);
    }

    /** As above, for a document the order gate has parsed already ({@code fields}): it is not parsed again. */
    public void received(byte[] payload, Map<String, Object> fields, Optional<Instant> issuedAt, Report report) {
        received(payload, DesiredStateJson.decode(fields, targets), issuedAt, report);
    }

    private void received(byte[] payload, Decoded<DesiredState> d, Optional<Instant> issuedAt, Report report) {
        if (d instanceof Decoded.Rejected<DesiredState> r) {
            Logger.warn("desired state refused: {} {}", r.code(), r.message());
            report.event("desired.refused", Map.of("code", r.code().name(), "message", r.message()));
            return;
        }
        DesiredState desired = ((Decoded.Ok<DesiredState>) d).value();
        DesiredStore.Accepted accepted;
        try {
            Optional<DesiredStore.Saved> saved = store.load();
            DesiredHighWater marks = saved.map(DesiredStore.Saved::highWater).orElse(DesiredHighWater.NONE);
            if (saved.isPresent()) {
                DesiredStore.Accepted c = saved.get().current();
                boolean fromGroup = !desired.target().equals(device);
                if (fromGroup && c.target().equals(device)) {
                    Logger.info("desired state v{} for {} ignored: this device has its own", desired.version(), desired.target());
                    return;
                }
                if (desired.version() == c.version() && Arrays.equals(payload, c.document())) {
                    return; // the retained copy again, at a reconnect
                }
            }
            Optional<String> refusal = refusal(marks, desired, issuedAt, saved);
            if (refusal.isPresent()) {
                if (!refusal.get().isEmpty()) {
                    Logger.warn("desired state refused: {}", refusal.get());
                    report.event("desired.refused", Map.of("code", "ROLLBACK_REFUSED", "message", refusal.get()));
                }
                return;
            }
            accepted = new DesiredStore.Accepted(desired.version(), desired.target(), payload, issuedAt, DesiredEnding.IN_PROGRESS,
                    List.of());
            store.save(new DesiredStore.Saved(accepted, marks.accept(desired.target(), desired.version(), issuedAt)));
        } catch (IOException e) {
            Logger.error("desired state v{} could not be recorded: {}", desired.version(), e.getMessage());
            report.event("desired.failed", Map.of("version", desired.version(), "message", "could not record it: " + e.getMessage()));
            return;
        }
        apply(desired, accepted, report);
    }

    /**
     * Why a document is refused as old, empty when it is new; an empty sentence means "ignore quietly": the retained
     * copy of a target this device moved on from, delivered again at a reconnect.
     */
    private static Optional<String> refusal(DesiredHighWater marks, DesiredState desired, Optional<Instant> issuedAt,
            Optional<DesiredStore.Saved> saved) {
        long mark = marks.versions().getOrDefault(desired.target(), 0L);
        switch (marks.judge(desired.target(), desired.version(), issuedAt)) {
            case NEWER:
                return Optional.empty();
            case SAME_VERSION:
                if (saved.isPresent() && !saved.get().current().target().equals(desired.target())) {
                    Logger.info("desired state v{} for {} ignored: already accepted once, and a newer document followed",
                            desired.version(), desired.target());
                    return Optional.of("");
                }
                return Optional.of("version " + desired.version() + " is not newer than the accepted version " + mark
                        + " for " + desired.target());
            case OLDER_VERSION:
                return Optional.of("version " + desired.version() + " is not newer than the accepted version " + mark
                        + " for " + desired.target());
            default:
                return Optional.of("document for " + desired.target() + " v" + desired.version() + " was signed at "
                        + issuedAt.orElseThrow() + ", before the newest document this device accepted (signed at "
                        + marks.issuedAt().orElseThrow() + ")");
        }
    }

    /**
     * On the agent's tick: applies the accepted document again when it failed only for reasons that pass by
     * themselves, after 30 s, then doubling up to 15 min, so a device offline from its registry converges alone.
     */
    public boolean retryIfDue(Instant now, Report report) {
        if (now.isBefore(nextRetry)) {
            return false;
        }
        try {
            Optional<DesiredStore.Saved> saved = store.load();
            if (saved.isEmpty() || !saved.get().current().ending().retried()) {
                nextRetry = Instant.MAX;
                return false;
            }
            DesiredStore.Accepted c = saved.get().current();
            Decoded<DesiredState> d = DesiredStateJson.decode(c.document(), maxBytes, targets);
            if (d instanceof Decoded.Ok<DesiredState> ok) {
                Logger.info("retrying desired state v{} after {}", c.version(), retryDelay);
                report.event("desired.retry", Map.of("version", c.version()));
                apply(ok.value(), c, report, now);
                return true;
            }
        } catch (IOException e) {
            Logger.warn("desired state unreadable at retry: {}", e.getMessage());
        }
        nextRetry = Instant.MAX;
        return false;
    }

    /**
     * At agent start: finishes applying an accepted document that a crash interrupted; one that failed for a passing
     * reason waits for its first retry; one that was applied, rolled back or failed for good is left as it ended.
     */
    public void resume(Report report) {
        resume(Instant.now(), report);
    }

    void resume(Instant now, Report report) {
        try {
            Optional<DesiredStore.Saved> saved = store.load();
            if (saved.isEmpty()) {
                return;
            }
            DesiredStore.Accepted c = saved.get().current();
            Decoded<DesiredState> d = DesiredStateJson.decode(c.document(), maxBytes, targets);
            if (!(d instanceof Decoded.Ok<DesiredState> ok)) {
                return;
            }
            if (c.ending().resumeAtStart()) {
                Logger.info("resuming desired state v{}", c.version());
                apply(ok.value(), c, report);
                return;
            }
            lastOutcome = outcome(c, Optional.empty());
            if (c.ending().retried()) {
                retryDelay = FIRST_RETRY;
                nextRetry = now.plus(retryDelay);
                lastOutcome = outcome(c, Optional.of(nextRetry));
                retryDelay = retryDelay.multipliedBy(2);
            }
            Logger.info("desired state v{} for {} stays as it ended: {}", c.version(), c.target(), c.ending());
        } catch (IOException e) {
            Logger.error("desired state unreadable at start: {}", e.getMessage());
        }
    }

    private static Map<String, Object> outcome(DesiredStore.Accepted c, Optional<Instant> retryAt) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("version", c.version());
        outcome.put("target", c.target());
        outcome.put("applied", c.ending() == DesiredEnding.APPLIED);
        if (!c.failures().isEmpty()) {
            outcome.put("failures", c.failures());
        }
        retryAt.ifPresent(at -> outcome.put("retryAt", at.toString()));
        return outcome;
    }

    private void apply(DesiredState desired, DesiredStore.Accepted accepted, Report report) {
        retryDelay = FIRST_RETRY; // a new document, or a restart, starts the backoff afresh
        apply(desired, accepted, report, Instant.now());
    }

    private void apply(DesiredState desired, DesiredStore.Accepted accepted, Report report, Instant now) {
        report.event("desired.accepted", Map.of("version", desired.version(), "target", desired.target(), "apps", desired.apps().size()));
        List<Map<String, Object>> failures = new ArrayList<>();
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
        // The agent last, once the apps are as wanted: an update restarts the agent, and a release that fails its trial
        // must not leave the apps half applied.
        boolean restart = false;
        if (desired.agent().isPresent()) {
            DesiredState.AgentRelease a = desired.agent().get();
            CommandResult r = agentUpdate.apply(new dev.edgeagent.protocol.UpdateAgentOrder(
                    new dev.edgeagent.protocol.OperationId("desired-v" + desired.version() + "-agent"), a.artifact(), a.version()));
            if (!r.ok()) {
                failures.add(Map.of("app", AGENT, "code", r.code().name(), "message", r.message()));
            } else {
                restart = r.result().containsKey(dev.edgeagent.agent.selfupdate.AgentUpdate.INSTALLING);
            }
        }
        DesiredEnding ending = ending(failures);
        DesiredStore.Accepted ended = accepted.ended(ending, failures);
        try {
            DesiredHighWater marks = store.load().map(DesiredStore.Saved::highWater)
                    .orElse(DesiredHighWater.NONE.accept(desired.target(), desired.version(), accepted.issuedAt()));
            store.save(new DesiredStore.Saved(ended, marks));
        } catch (IOException e) {
            Logger.warn("could not record how desired state v{} ended ({}): {}", desired.version(), ending, e.getMessage());
        }
        Optional<Instant> retryAt = Optional.empty();
        if (ending.retried()) {
            nextRetry = now.plus(retryDelay);
            retryAt = Optional.of(nextRetry);
            retryDelay = retryDelay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryDelay.multipliedBy(2);
        } else {
            nextRetry = Instant.MAX;
            retryDelay = FIRST_RETRY;
        }
        Map<String, Object> outcome = outcome(ended, retryAt);
        lastOutcome = outcome;
        report.event(ending == DesiredEnding.APPLIED ? "desired.applied" : "desired.failed", outcome);
        if (restart) {
            // recorded as applied first: the new release does not apply the document again, and a rolled-back one
            // does not retry the release until a newer document names it
            restartIntoUpdate.run();
        }
    }

    /** Where a desired state's agent release shows among its failures. */
    public static final String AGENT = "(agent)";

    /** Applied; retryable when every failure may pass by itself; rolled back when a release was; else failed. */
    static DesiredEnding ending(List<Map<String, Object>> failures) {
        if (failures.isEmpty()) {
            return DesiredEnding.APPLIED;
        }
        if (failures.stream().allMatch(f -> PASSING.contains(String.valueOf(f.get("code"))))) {
            return DesiredEnding.RETRYABLE;
        }
        if (failures.stream().anyMatch(f -> "ROLLED_BACK".equals(f.get("code")))) {
            return DesiredEnding.ROLLED_BACK;
        }
        return DesiredEnding.FAILED;
    }
}
