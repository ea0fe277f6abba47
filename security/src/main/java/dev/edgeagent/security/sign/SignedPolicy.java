package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The statement a security team signs with a policy key: a device profile (the JSON a profile file holds, unchanged),
 * which device ({@code gw-1}) or group ({@code group:north}) it is for, its version (anti-rollback: only a higher one
 * replaces the policy in force) and what the device does with apps already running beyond it. Its own payload type,
 * so an order's signature can never be passed off as a policy's, nor the other way round.
 */
public record SignedPolicy(String target, long version, Instant issuedAt, Enforcement enforcement, Map<String, Object> profile) {
    public static final String PAYLOAD_TYPE = "application/vnd.edgeagent.policy.v1+json";
    /** A profile is a few hundred bytes; this leaves room for long grant lists. */
    public static final int MAX_BYTES = 64 * 1024;

    /** What a device does with a running app the new policy would not admit. */
    public enum Enforcement {
        /** Name it in a {@code policy.violation} event and in status; it keeps running. */
        REPORT,
        /** As REPORT, and stop it until a policy admits it again. */
        STOP;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Enforcement fromWire(String s) throws Fields.WireException {
            for (Enforcement e : values()) {
                if (e.wire().equals(s)) {
                    return e;
                }
            }
            throw new Fields.WireException("enforcement must be \"report\" or \"stop\", got \"" + s + "\"");
        }
    }

    public SignedPolicy {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(enforcement, "enforcement");
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more");
        }
        profile = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(profile));
    }

    /** A verified policy: the statement, the policy keys whose signatures on it are valid, and its payload's digest. */
    public record Verified(SignedPolicy statement, Set<KeyId> signers, Digest digest, byte[] payload) {
        public Verified {
            signers = Set.copyOf(signers);
            payload = payload.clone();
        }
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("version", version);
        m.put("issuedAt", issuedAt.toString());
        m.put("enforcement", enforcement.wire());
        m.put("profile", profile);
        return Json.pretty(m);
    }

    public Envelope signWith(List<SigningKey> keys) {
        return Envelope.sign(PAYLOAD_TYPE, toJson(), keys);
    }

    /**
     * Opens a policy envelope for a device answering to {@code targets}: size and type first, then a threshold of the
     * trust document's policy keys (an operator key does not count), then target and issue time. Versions are the
     * caller's (they need the policy in force).
     */
    public static Verified open(byte[] wire, Set<String> targets, Instant now, TrustDocument trust) throws TrustFailure {
        if (wire.length > MAX_BYTES) {
            throw new TrustFailure(ErrorCode.PAYLOAD_TOO_LARGE, "policy is " + wire.length + " bytes; the limit is " + MAX_BYTES);
        }
        Envelope env;
        try {
            env = Envelope.parse(wire, MAX_BYTES);
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.UNSIGNED, "a policy must be a DSSE envelope signed by policy keys; this one is " + e.getMessage());
        }
        if (!PAYLOAD_TYPE.equals(env.payloadType())) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "envelope payloadType is '" + env.payloadType() + "', expected " + PAYLOAD_TYPE);
        }
        trust.requireNotLapsed(now);
        Set<KeyId> signers = trust.verifyPolicy(env, "policy");
        SignedPolicy p;
        try {
            p = fromJson(env.payload());
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "policy: " + e.getMessage());
        }
        if (!targets.contains(p.target)) {
            throw new TrustFailure(ErrorCode.WRONG_TARGET, "policy v" + p.version + " is signed for " + p.target
                    + ", not this device (it answers to " + String.join(", ", new java.util.TreeSet<>(targets)) + ")");
        }
        if (p.issuedAt.isAfter(now.plus(SignedOrder.CLOCK_SKEW))) {
            throw new TrustFailure(ErrorCode.EXPIRED, "policy v" + p.version + " is issued at " + p.issuedAt
                    + ", in the future of the device's clock (" + now + ")");
        }
        return new Verified(p, signers, Digest.sha256Of(env.payload()), env.payload());
    }

    /** Reads a statement; unknown fields are refused. The profile inside is the caller's to read. */
    public static SignedPolicy fromJson(byte[] json) throws IOException {
        try {
            Fields f = new Fields(Json.object(json), "");
            f.refuseUnknown(List.of("target", "version", "issuedAt", "enforcement", "profile"));
            Fields profile = f.optionalObject("profile").orElseThrow(() -> new Fields.WireException("'profile' is missing"));
            return new SignedPolicy(f.requireString("target"),
                    f.optionalLong("version").orElseThrow(() -> new Fields.WireException("'version' is missing")),
                    Instant.parse(f.requireString("issuedAt")),
                    Enforcement.fromWire(f.optionalString("enforcement").orElse("report")), profile.asMap());
        } catch (Fields.WireException | RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
