package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a device trusts, TUF style: the root role (k of n keys) signs this document, which names the operator keys
 * that may sign orders and desired states, and per repository the keys that must have signed an image. A new
 * version replaces it only when signed by a threshold of the current root keys and of its own.
 *
 * <p>A document may expire ({@code expiresAt}): from then on the device reports it expired, and after a further
 * {@link #EXPIRY_GRACE} (for devices that were offline for months) it refuses every signed order and desired
 * state until a successor arrives. A successor signed by the root keys is admitted however long ago the document
 * in force expired: the root keys are what a device falls back on. {@code revokedImages} says what the device does
 * with a running app whose image signers no longer satisfy a newly accepted document.
 *
 * <p>The optional {@code agent} role vouches for the agent's own releases (docs/self-update.md): without it a
 * device takes no agent update, whatever its operators sign.
 */
public record TrustDocument(long version, Instant issuedAt, Map<KeyId, VerificationKey> keys, Role root, Role operators,
        List<ImageRule> images, Optional<Instant> expiresAt, RevokedImages revokedImages, Optional<Role> policy,
        SigstoreRoots sigstore, Optional<Role> agent) {
    public static final String PAYLOAD_TYPE = "application/vnd.edgeagent.trust.v1+json";
    /** The largest trust document envelope read; a real one with a dozen keys and rules is a few KiB. */
    public static final int MAX_BYTES = 256 * 1024;
    /** How long after {@code expiresAt} a device still takes orders (while reporting the document expired). */
    public static final Duration EXPIRY_GRACE = Duration.ofDays(90);

    /** What the device does with a running app whose image a newly accepted document no longer trusts. */
    public enum RevokedImages {
        /** Keep it running; report {@code trust.revoked-image} and flag it in status. */
        REPORT,
        /** As REPORT, and stop it. */
        STOP;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static RevokedImages fromWire(String s) throws Fields.WireException {
            for (RevokedImages r : values()) {
                if (r.wire().equals(s)) {
                    return r;
                }
            }
            throw new Fields.WireException("revokedImages must be \"report\" or \"stop\", got \"" + s + "\"");
        }
    }

    /** Where a document stands at some instant. */
    public enum Standing {
        /** Not expired (or never expires). */
        VALID,
        /** Past {@code expiresAt}, within the grace: orders are still taken. */
        EXPIRED,
        /** Past {@code expiresAt} and the grace: orders are refused until a successor arrives. */
        LAPSED
    }

    /** A document without an agent role: no agent release is trusted. */
    public TrustDocument(long version, Instant issuedAt, Map<KeyId, VerificationKey> keys, Role root, Role operators,
            List<ImageRule> images, Optional<Instant> expiresAt, RevokedImages revokedImages, Optional<Role> policy,
            SigstoreRoots sigstore) {
        this(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, policy, sigstore, Optional.empty());
    }

    /** A document without Sigstore material (keyless image signatures are then refused). */
    public TrustDocument(long version, Instant issuedAt, Map<KeyId, VerificationKey> keys, Role root, Role operators,
            List<ImageRule> images, Optional<Instant> expiresAt, RevokedImages revokedImages, Optional<Role> policy) {
        this(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, policy, SigstoreRoots.NONE);
    }

    /** A document without a policy role: no device profile can be pushed over the air under it. */
    public TrustDocument(long version, Instant issuedAt, Map<KeyId, VerificationKey> keys, Role root, Role operators,
            List<ImageRule> images, Optional<Instant> expiresAt, RevokedImages revokedImages, SigstoreRoots sigstore) {
        this(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, Optional.empty(), sigstore);
    }

    /** A document with neither a policy role nor Sigstore material. */
    public TrustDocument(long version, Instant issuedAt, Map<KeyId, VerificationKey> keys, Role root, Role operators,
            List<ImageRule> images, Optional<Instant> expiresAt, RevokedImages revokedImages) {
        this(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, Optional.empty(), SigstoreRoots.NONE);
    }

    /** A document that never expires and only reports revoked images: what older documents and tools wrote. */
    public TrustDocument(long version, Instant issuedAt, Map<KeyId, VerificationKey> keys, Role root, Role operators,
            List<ImageRule> images) {
        this(version, issuedAt, keys, root, operators, images, Optional.empty(), RevokedImages.REPORT, Optional.empty());
    }

    public TrustDocument {
        keys = Map.copyOf(keys);
        images = List.copyOf(images);
        java.util.Objects.requireNonNull(expiresAt, "expiresAt");
        java.util.Objects.requireNonNull(revokedImages, "revokedImages");
        java.util.Objects.requireNonNull(sigstore, "sigstore");
        java.util.Objects.requireNonNull(policy, "policy");
        java.util.Objects.requireNonNull(agent, "agent");
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more");
        }
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        List<Role> named = roles(root, operators, images);
        policy.ifPresent(named::add);
        agent.ifPresent(named::add);
        for (Role r : named) {
            for (KeyId k : r.keys()) {
                if (!keys.containsKey(k)) {
                    throw new IllegalArgumentException("key " + k.shortForm() + " is named by a role but not listed under keys");
                }
            }
        }
        // Who may deploy and who sets the fence are different people: one key may not hold both rights.
        if (policy.isPresent()) {
            for (KeyId k : policy.get().keys()) {
                if (operators.keys().contains(k)) {
                    throw new IllegalArgumentException("key " + k.shortForm() + " is both an operator key and a policy key; the roles must not share keys");
                }
            }
        }
    }

    private static List<Role> roles(Role root, Role operators, List<ImageRule> images) {
        List<Role> out = new ArrayList<>(List.of(root, operators));
        images.forEach(i -> i.signers().ifPresent(out::add));
        return out;
    }

    /** A copy with another expiry and revoked-image policy. */
    public TrustDocument with(Optional<Instant> expires, RevokedImages policy) {
        return new TrustDocument(version, issuedAt, keys, root, operators, images, expires, policy, this.policy, sigstore, agent);
    }

    /** A copy with other Sigstore material. */
    public TrustDocument with(SigstoreRoots roots) {
        return new TrustDocument(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, policy, roots, agent);
    }

    /** A copy with another policy role (or none). */
    public TrustDocument withPolicy(Optional<Role> role) {
        return new TrustDocument(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, role, sigstore, agent);
    }

    /** A copy whose {@code agent} role signs the agent's releases. */
    public TrustDocument withAgent(Role role) {
        return withAgent(Optional.of(role));
    }

    /** A copy with another agent role (or none). */
    public TrustDocument withAgent(Optional<Role> role) {
        return new TrustDocument(version, issuedAt, keys, root, operators, images, expiresAt, revokedImages, policy, sigstore, role);
    }

    public Standing standing(Instant now) {
        if (expiresAt.isEmpty() || !now.isAfter(expiresAt.get())) {
            return Standing.VALID;
        }
        return now.isAfter(expiresAt.get().plus(EXPIRY_GRACE)) ? Standing.LAPSED : Standing.EXPIRED;
    }

    /** Refuses when the document has lapsed (expired and past the grace): no signed order is taken then. */
    public void requireNotLapsed(Instant now) throws TrustFailure {
        if (standing(now) == Standing.LAPSED) {
            throw new TrustFailure(ErrorCode.EXPIRED, "trust document v" + version + " expired at " + expiresAt.get()
                    + " and its grace of " + EXPIRY_GRACE.toDays() + " days ended at " + expiresAt.get().plus(EXPIRY_GRACE)
                    + " (device time " + now + "); no order is taken until a successor signed by its root keys arrives");
        }
    }

    /** The rule for {@code repository} ({@code registry/path}); the most specific one wins, and none means refuse. */
    public Optional<ImageRule> imageRule(String repository) {
        ImageRule best = null;
        int score = -1;
        for (ImageRule r : images) {
            int s = r.specificity(repository);
            if (s > score) {
                best = r;
                score = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The operator keys that signed {@code envelope}, at least the operator threshold of them. */
    public Set<KeyId> verifyOperator(Envelope envelope, String what) throws TrustFailure {
        return Threshold.require(Envelope.pae(envelope.payloadType(), envelope.payload()), candidates(envelope), operators, keys, what);
    }

    /**
     * The policy keys that signed {@code envelope}, at least the policy threshold of them. A document without a policy
     * role takes no policy at all: its operator keys cannot stand in.
     */
    public Set<KeyId> verifyPolicy(Envelope envelope, String what) throws TrustFailure {
        if (policy.isEmpty()) {
            throw new TrustFailure(ErrorCode.UNKNOWN_KEY, what + ": trust document v" + version
                    + " names no policy role, so no key may sign a device profile for this device");
        }
        return Threshold.require(Envelope.pae(envelope.payloadType(), envelope.payload()), candidates(envelope), policy.get(), keys, what);
    }

    /** Reads a document from its envelope after checking it is signed by its own root threshold (provisioning). */
    public static TrustDocument selfSigned(byte[] envelopeJson) throws TrustFailure {
        Envelope env = envelope(envelopeJson);
        TrustDocument doc = decode(env);
        Threshold.require(Envelope.pae(env.payloadType(), env.payload()), candidates(env), doc.root, doc.keys, "trust document v" + doc.version);
        return doc;
    }

    /**
     * The successor of this document, accepted only when its version is higher and a threshold of this document's
     * root keys and of its own root keys signed it (so a new root set must prove it holds its keys too).
     */
    public TrustDocument successor(byte[] envelopeJson) throws TrustFailure {
        Envelope env = envelope(envelopeJson);
        TrustDocument next = decode(env);
        if (next.version == version) {
            throw new TrustFailure(ErrorCode.REPLAYED, "trust document v" + next.version + " differs from the v" + version
                    + " in force; a changed document needs a higher version");
        }
        if (next.version < version) {
            throw new TrustFailure(ErrorCode.REPLAYED, "trust document v" + next.version + " is not newer than the one in force (v"
                    + version + ")");
        }
        byte[] pae = Envelope.pae(env.payloadType(), env.payload());
        Threshold.require(pae, candidates(env), root, keys, "trust document v" + next.version + " (current root keys)");
        Threshold.require(pae, candidates(env), next.root, next.keys, "trust document v" + next.version + " (its own root keys)");
        return next;
    }

    static List<Threshold.Candidate> candidates(Envelope env) {
        return env.signatures().stream().map(s -> new Threshold.Candidate(Optional.of(s.keyid()), s.sig())).toList();
    }

    /** The envelope of a trust document, refused unread when larger than {@link #MAX_BYTES}. */
    public static Envelope envelope(byte[] json) throws TrustFailure {
        if (json.length > MAX_BYTES) {
            throw new TrustFailure(ErrorCode.PAYLOAD_TOO_LARGE, "trust document is " + json.length + " bytes; the limit is " + MAX_BYTES);
        }
        try {
            return Envelope.parse(json, MAX_BYTES);
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.UNSIGNED, "trust document: " + e.getMessage());
        }
    }

    private static TrustDocument decode(Envelope env) throws TrustFailure {
        if (!PAYLOAD_TYPE.equals(env.payloadType())) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "payloadType is '" + env.payloadType() + "', not " + PAYLOAD_TYPE);
        }
        try {
            return fromJson(env.payload());
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "trust document: " + e.getMessage());
        }
    }

    // --- the payload's JSON -------------------------------------------------------------------------------------

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("issuedAt", issuedAt.toString());
        expiresAt.ifPresent(e -> m.put("expiresAt", e.toString()));
        if (revokedImages != RevokedImages.REPORT) {
            m.put("revokedImages", revokedImages.wire());
        }
        Map<String, Object> k = new TreeMap<>();
        keys.forEach((id, key) -> k.put(id.value(), key.pem()));
        m.put("keys", k);
        m.put("root", role(root));
        m.put("operators", role(operators));
        policy.ifPresent(p -> m.put("policy", role(p)));
        agent.ifPresent(a -> m.put("agent", role(a)));
        List<Object> rules = new ArrayList<>();
        for (ImageRule r : images) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("scope", r.scope());
            if (r.signers().isPresent()) {
                rule.putAll(role(r.signers().get()));
            } else if (r.identities().isEmpty()) {
                rule.put("reject", true);
            }
            if (!r.identities().isEmpty()) {
                rule.put("identities", r.identities().stream().map(TrustDocument::identity).toList());
            }
            rules.add(rule);
        }
        m.put("images", rules);
        if (!sigstore.isEmpty()) {
            Map<String, Object> sig = new LinkedHashMap<>();
            sig.put("fulcio", sigstore.fulcio().stream().map(CertificatePem::write).toList());
            sig.put("rekor", sigstore.rekor().stream().map(VerificationKey::pem).toList());
            m.put("sigstore", sig);
        }
        return Json.pretty(m);
    }

    private static Map<String, Object> identity(KeylessIdentity i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(i.issuerIsPattern() ? "issuerPattern" : "issuer", i.issuer());
        m.put(i.subjectIsPattern() ? "subjectPattern" : "subject", i.subject());
        return m;
    }

    private static Map<String, Object> role(Role r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keys", r.sortedKeys().stream().map(KeyId::value).toList());
        m.put("threshold", r.threshold());
        return m;
    }

    public static TrustDocument fromJson(byte[] json) throws IOException {
        try {
            Fields f = new Fields(Json.object(json), "");
            f.refuseUnknown(List.of("version", "issuedAt", "expiresAt", "revokedImages", "keys", "root", "operators", "policy",
                    "agent", "images", "sigstore"));
            Map<KeyId, VerificationKey> keys = new LinkedHashMap<>();
            Fields keySection = f.optionalObject("keys").orElseThrow(() -> new Fields.WireException("'keys' is missing"));
            for (String id : keySection.keys()) {
                VerificationKey key = KeyPem.readPublic(keySection.requireString(id));
                if (!key.id().value().equals(id)) {
                    throw new Fields.WireException("keys." + id.substring(0, Math.min(12, id.length())) + " is listed under an id that is not its own ("
                            + key.id().shortForm() + ")");
                }
                keys.put(key.id(), key);
            }
            List<ImageRule> rules = new ArrayList<>();
            for (Fields r : f.optionalObjects("images")) {
                r.refuseUnknown(List.of("scope", "keys", "threshold", "reject", "identities"));
                boolean reject = r.optionalBoolean("reject");
                List<KeylessIdentity> identities = new ArrayList<>();
                for (Fields i : r.optionalObjects("identities")) {
                    i.refuseUnknown(List.of("issuer", "issuerPattern", "subject", "subjectPattern"));
                    identities.add(new KeylessIdentity(either(i, "issuer"), i.optionalString("issuer").isEmpty(), either(i, "subject"),
                            i.optionalString("subject").isEmpty()));
                }
                boolean keyed = !reject && r.optionalStrings("keys").map(k -> !k.isEmpty()).orElse(identities.isEmpty());
                rules.add(new ImageRule(r.requireString("scope"), keyed ? Optional.of(role(r)) : Optional.empty(),
                        reject ? List.of() : identities));
            }
            return new TrustDocument(f.optionalLong("version").orElseThrow(() -> new Fields.WireException("'version' is missing")),
                    Instant.parse(f.requireString("issuedAt")), keys,
                    role(f.optionalObject("root").orElseThrow(() -> new Fields.WireException("'root' is missing"))),
                    role(f.optionalObject("operators").orElseThrow(() -> new Fields.WireException("'operators' is missing"))),
                    rules, f.optionalString("expiresAt").map(Instant::parse),
                    f.optionalString("revokedImages").isPresent() ? RevokedImages.fromWire(f.optionalString("revokedImages").get())
                            : RevokedImages.REPORT,
                    f.optionalObject("policy").isPresent() ? Optional.of(role(f.optionalObject("policy").get())) : Optional.empty(),
                    sigstore(f),
                    f.optionalObject("agent").isPresent() ? Optional.of(role(f.optionalObject("agent").get())) : Optional.empty());
        } catch (Fields.WireException | KeyPem.KeyFormatException | RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String either(Fields f, String name) throws Fields.WireException {
        Optional<String> exact = f.optionalString(name);
        Optional<String> pattern = f.optionalString(name + "Pattern");
        if (exact.isPresent() == pattern.isPresent()) {
            throw new Fields.WireException("an identity names exactly one of '" + name + "' and '" + name + "Pattern'");
        }
        return exact.orElseGet(pattern::get);
    }

    private static SigstoreRoots sigstore(Fields f) throws Fields.WireException, KeyPem.KeyFormatException {
        Optional<Fields> s = f.optionalObject("sigstore");
        if (s.isEmpty()) {
            return SigstoreRoots.NONE;
        }
        s.get().refuseUnknown(List.of("fulcio", "rekor"));
        List<java.security.cert.X509Certificate> certs = new ArrayList<>();
        for (String pem : s.get().optionalStrings("fulcio").orElse(List.of())) {
            certs.add(CertificatePem.read(pem));
        }
        List<VerificationKey> rekor = new ArrayList<>();
        for (String pem : s.get().optionalStrings("rekor").orElse(List.of())) {
            rekor.add(KeyPem.readPublic(pem));
        }
        return new SigstoreRoots(certs, rekor);
    }

    private static Role role(Fields r) throws Fields.WireException {
        List<KeyId> ids = new ArrayList<>();
        for (String s : r.optionalStrings("keys").orElse(List.of())) {
            ids.add(new KeyId(s));
        }
        return new Role(Set.copyOf(ids), (int) r.optionalLong("threshold").orElse(1));
    }
}
