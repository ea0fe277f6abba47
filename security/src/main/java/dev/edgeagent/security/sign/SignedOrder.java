package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statement an operator signs for one order or desired state: which device ({@code gw-1}) or group
 * ({@code group:north}) it is for, which command, when it was issued and until when it holds, a sequence number
 * that only grows (so a recorded order cannot be played again), and the order itself.
 */
public record SignedOrder(String target, String command, Instant issuedAt, Instant expiresAt, long sequence, byte[] order) {
    public static final String PAYLOAD_TYPE = "application/vnd.edgeagent.order.v1+json";
    /** Device clocks drift; an order stamped this far in the future is still taken. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    public SignedOrder {
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be 1 or more");
        }
        order = order.clone();
    }

    /**
     * A verified order: the statement, every operator key whose signature on it is valid, and the order's fields as
     * parsed with the statement (the order is not parsed again). The sequence number counts under each signer, so
     * dropping or adding a signature cannot move it to a fresh counter.
     */
    public record Verified(SignedOrder statement, Set<KeyId> signers, Map<String, Object> order) {
        public Verified {
            signers = Set.copyOf(signers);
            order = java.util.Collections.unmodifiableMap(order);
        }
    }

    private record Parsed(SignedOrder statement, Map<String, Object> order) {}

    public Envelope signWith(List<SigningKey> keys) {
        return Envelope.sign(PAYLOAD_TYPE, toJson(), keys);
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("command", command);
        m.put("issuedAt", issuedAt.toString());
        m.put("expiresAt", expiresAt.toString());
        m.put("sequence", sequence);
        try {
            m.put("order", Json.object(order));
        } catch (IOException e) {
            throw new IllegalArgumentException("the order is not a JSON object", e);
        }
        return Json.compact(m);
    }

    /**
     * Opens an envelope that arrived on {@code command}'s topic for a device answering to {@code targets}: the
     * operator signatures first, then target, command and validity period. Sequence numbers are the caller's
     * (they need the device's memory).
     */
    public static Verified open(byte[] wire, String command, Set<String> targets, Instant now, TrustDocument trust) throws TrustFailure {
        return open(wire, Envelope.DEFAULT_MAX_BYTES, command, targets, now, trust);
    }

    /** As {@link #open(byte[], String, Set, Instant, TrustDocument)}, for an envelope of at most {@code maxBytes}. */
    public static Verified open(byte[] wire, int maxBytes, String command, Set<String> targets, Instant now, TrustDocument trust)
            throws TrustFailure {
        Envelope env;
        try {
            env = Envelope.parse(wire, maxBytes);
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.UNSIGNED, "this device takes only orders signed by an operator key in a DSSE envelope; "
                    + "this one is " + e.getMessage());
        }
        if (!PAYLOAD_TYPE.equals(env.payloadType())) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "envelope payloadType is '" + env.payloadType() + "', expected " + PAYLOAD_TYPE);
        }
        trust.requireNotLapsed(now);
        Set<KeyId> signers = trust.verifyOperator(env, command + " order");
        Parsed parsed;
        try {
            parsed = parse(env.payload());
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "signed order: " + e.getMessage());
        }
        SignedOrder s = parsed.statement();
        if (!targets.contains(s.target)) {
            throw new TrustFailure(ErrorCode.WRONG_TARGET, "order is signed for " + s.target + ", not this device (it answers to "
                    + String.join(", ", new java.util.TreeSet<>(targets)) + ")");
        }
        if (!s.command.equals(command)) {
            throw new TrustFailure(ErrorCode.WRONG_TARGET, "order is signed as a '" + s.command + "' order but arrived as '" + command + "'");
        }
        ClockEvidence evidence = new ClockEvidence(now, s.issuedAt, s.expiresAt);
        if (now.isAfter(s.expiresAt)) {
            throw new TrustFailure(ErrorCode.EXPIRED, "order expired at " + s.expiresAt + " (device time " + now + ", "
                    + minutes(Duration.between(s.issuedAt, now)) + " after it was issued); if it was sent just now, the device's "
                    + "clock is that far ahead: set it (NTP), else sign a fresh order", evidence);
        }
        if (s.issuedAt.isAfter(now.plus(CLOCK_SKEW))) {
            throw new TrustFailure(ErrorCode.CLOCK_SKEW, "the device's clock is behind: the order is issued at " + s.issuedAt
                    + ", " + minutes(Duration.between(now, s.issuedAt)) + " ahead of device time " + now + " (at most "
                    + CLOCK_SKEW.toMinutes() + " min are tolerated); set the device's clock (NTP): every signed order is "
                    + "refused until it is right", evidence);
        }
        return new Verified(s, signers, parsed.order());
    }

    private static String minutes(Duration d) {
        long m = Math.round(d.toSeconds() / 60.0);
        return m >= 60 ? (m / 60) + " h " + (m % 60) + " min" : m + " min";
    }

    static SignedOrder fromJson(byte[] json) throws IOException {
        return parse(json).statement();
    }

    private static Parsed parse(byte[] json) throws IOException {
        try {
            Fields f = new Fields(Json.object(json), "");
            f.refuseUnknown(List.of("target", "command", "issuedAt", "expiresAt", "sequence", "order"));
            Fields order = f.optionalObject("order").orElseThrow(() -> new Fields.WireException("'order' is missing"));
            return new Parsed(new SignedOrder(f.requireString("target"), f.requireString("command"),
                    Instant.parse(f.requireString("issuedAt")), Instant.parse(f.requireString("expiresAt")),
                    f.optionalLong("sequence").orElseThrow(() -> new Fields.WireException("'sequence' is missing")),
                    Json.compact(order.asMap())), order.asMap());
        } catch (Fields.WireException | RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
