package dev.edgeagent.agent.policy;

import dev.edgeagent.agent.trust.TrustStore;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.sign.TrustFailure;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tinylog.Logger;

/**
 * A policy that arrived on {@code edge/{device}/policy} or a group's: offered to the store, and once accepted applied
 * to what runs. Every outcome is an event (op {@code policy}): {@code policy.accepted}, {@code policy.refused}. Only an
 * accepted one reaches the listener (the audit trail): anyone who can publish could otherwise flood the trail with
 * refusals until its rotation dropped what matters.
 */
public final class PolicyUpdates {
    /** Told each accepted or refused policy (the audit trail). */
    public interface Listener {
        void changed(String outcome, Optional<Policy> accepted, java.util.List<String> signers);
    }

    private final PolicyStore store;
    private final Optional<TrustStore> trust;
    private final Set<String> targets;
    private final Clock clock;
    private final PolicyEnforcer enforcer;
    private final PolicyEnforcer.Events events;
    private Listener listener = (o, a, s) -> { };

    public PolicyUpdates(PolicyStore store, Optional<TrustStore> trust, Set<String> targets, Clock clock, PolicyEnforcer enforcer,
            PolicyEnforcer.Events events) {
        this.store = store;
        this.trust = trust;
        this.targets = Set.copyOf(targets);
        this.clock = clock;
        this.enforcer = enforcer;
        this.events = events;
    }

    public void listen(Listener l) {
        this.listener = l;
    }

    public void received(byte[] envelope) {
        if (trust.isEmpty()) {
            refuse(new TrustFailure(ErrorCode.NOT_PERMITTED, "this agent runs with allowUnsigned and takes no policy over MQTT; "
                    + "its profile is the one its config names"));
            return;
        }
        try {
            PolicyStore.Outcome outcome = store.offer(envelope, targets, clock.instant(), trust.get().current());
            if (outcome == PolicyStore.Outcome.ACCEPTED) {
                Policy p = store.current();
                Logger.info("op=policy policy v{} ({}) accepted for {}: {}", p.version(), p.profile().name(), p.source(), p.digest());
                Map<String, Object> details = new LinkedHashMap<>(p.summary());
                events.emit("-", "policy.accepted", details);
                listener.changed("ACCEPTED", Optional.of(p), store.signers());
                enforcer.enforce(p);
            }
        } catch (TrustFailure e) {
            refuse(e);
        }
    }

    private void refuse(TrustFailure e) {
        Logger.warn("op=policy policy refused: {} {}", e.code(), e.getMessage());
        events.emit("-", "policy.refused", Map.of("code", e.code().name(), "message", e.getMessage()));
    }
}
