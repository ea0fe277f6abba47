package dev.edgeagent.agent.control;

import dev.edgeagent.agent.trust.ClockWatch;
import dev.edgeagent.agent.trust.TrustStore;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.TrustFailure;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Opens DSSE-signed orders and desired states against the trust document in force: operator signature, target,
 * command, validity period. A desired state must also name, inside, the target its signature names.
 */
public final class SignedOrderGate implements OrderGate {
    public static final String DESIRED_COMMAND = "desired";

    private final TrustStore trust;
    private final Set<String> targets;
    private final Clock clock;
    private final ClockWatch clockWatch;

    public SignedOrderGate(TrustStore trust, Set<String> targets, Clock clock) {
        this(trust, targets, clock, new ClockWatch());
    }

    public SignedOrderGate(TrustStore trust, Set<String> targets, Clock clock, ClockWatch clockWatch) {
        this.trust = trust;
        this.targets = Set.copyOf(targets);
        this.clock = clock;
        this.clockWatch = clockWatch;
    }

    @Override
    public Opened open(String command, byte[] payload, int maxBytes) throws TrustFailure {
        OrderGate.checkSize(payload, maxBytes);
        String signedAs = CommandDispatcher.DESIRED.equals(command) ? DESIRED_COMMAND : command;
        Instant now = clock.instant();
        SignedOrder.Verified v;
        try {
            v = SignedOrder.open(payload, maxBytes, signedAs, targets, now, trust.current());
        } catch (TrustFailure e) {
            e.clock().ifPresent(clockWatch::refused);
            throw e;
        }
        clockWatch.accepted(v.statement(), now);
        if (DESIRED_COMMAND.equals(signedAs)) {
            Object inner = v.order().get("target");
            if (!v.statement().target().equals(inner)) {
                throw new TrustFailure(ErrorCode.WRONG_TARGET, "desired state names target " + inner + " but is signed for "
                        + v.statement().target());
            }
        }
        return new Opened(v.statement().order(), v.order(), Optional.of(v));
    }
}
