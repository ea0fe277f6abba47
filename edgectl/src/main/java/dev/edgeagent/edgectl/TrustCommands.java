package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.CertificatePem;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeylessIdentity;
import dev.edgeagent.security.sign.SigstoreRoots;
import dev.edgeagent.security.sigstore.TrustedRootJson;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.security.sign.VerificationKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * {@code edgectl trust init|rotate|sign|publish|show}: the trust document a device is provisioned with, and its
 * successors, which the root keys sign and the broker delivers (retained) to a device or a group.
 */
final class TrustCommands {
    static final String USAGE = """
            edgectl trust init --root-key ROOT.key [--root-key …] [--root-threshold K] --operator OP.pub [--operator …]
                               --images 'SCOPE=SIGNER.pub[,SIGNER2.pub][:K]' [--images …] [--reject SCOPE] --out trust.json
            edgectl trust rotate --current trust.json --root-key ROOT.key [--root-key …] [--operator OP.pub …]
                               [--revoke KEY.pub|KEYID …] [--root NEWROOT.pub … --root-threshold K] [--images … | --reject …]
                               --out trust-v2.json        (a new version; the lists given replace the current ones)
            init and rotate also take [--expires-in DAYS] (default 365; 0: never expires),
                               [--revoked-images report|stop] (init: report; rotate: as the current document) and
                               [--policy SEC.pub … [--policy-threshold K]] (the policy role: the keys that sign device
                               profiles, K of them (default 1); none may be an operator key; rotate keeps the current
                               role unless given)
            init and rotate take keyless signing too:
                               [--keyless 'SCOPE|ISSUER|SUBJECT' …]  an identity allowed to sign images in SCOPE keyless
                               (ISSUER and SUBJECT exact, or a Java regular expression over the whole value when
                               prefixed with ~; split at the first two |)
                               [--fulcio CERTS.pem …] [--rekor REKOR.pub …] | [--trusted-root trusted_root.json]
                               the Fulcio root/intermediate certificates and Rekor keys pinned for it (rotate: given
                               ones replace the current ones)
            init and rotate take [--agent RELEASE.pub …] (the agent role: the keys agent releases are signed with;
                               rotate keeps the current role unless given)
            edgectl trust sign --file trust-v2.json --root-key ROOT2.key     (a second root key adds its signature)
            edgectl trust publish --file trust-v2.json (--device ID | --group NAME) [--broker URI]
            edgectl trust show --file trust.json
            SCOPE is registry/repository, a prefix ending in /*, or *; an image no rule names is refused.""";

    private final PrintStream out;

    TrustCommands(PrintStream out) {
        this.out = out;
    }

    int run(List<String> argv) throws Args.UsageError, MqttException {
        if (argv.isEmpty()) {
            throw new Args.UsageError("trust takes init, rotate, sign, publish or show");
        }
        List<String> rest = argv.subList(1, argv.size());
        List<String> docOptions = List.of("--root-key", "--root-threshold", "--operator", "--images", "--reject", "--out",
                "--password-file", "--current", "--revoke", "--root", "--expires-in", "--revoked-images", "--keyless", "--fulcio", "--rekor",
                "--trusted-root", "--policy", "--policy-threshold", "--agent");
        return switch (argv.get(0)) {
            case "init" -> init(new Args(rest, docOptions, List.of()));
            case "rotate" -> rotate(new Args(rest, docOptions, List.of()));
            case "sign" -> sign(new Args(rest, List.of("--file", "--root-key", "--password-file"), List.of()));
            case "publish" -> publish(new Args(rest, List.of("--file", "--device", "--group", "--broker"), List.of()));
            case "show" -> show(new Args(rest, List.of("--file"), List.of()));
            default -> throw new Args.UsageError("trust takes init, rotate, sign, publish or show, not '" + argv.get(0) + "'");
        };
    }

    private int init(Args a) throws Args.UsageError {
        List<SigningKey> roots = rootKeys(a);
        Map<KeyId, VerificationKey> keys = new LinkedHashMap<>();
        roots.forEach(k -> keys.put(k.id(), k.publicKey()));
        Role root = new Role(ids(roots.stream().map(SigningKey::publicKey).toList()), threshold(a, 1));
        List<VerificationKey> operators = publicKeys(a.all("--operator"));
        if (operators.isEmpty()) {
            throw new Args.UsageError("give at least one --operator public key: the key orders will be signed with");
        }
        operators.forEach(k -> keys.put(k.id(), k));
        List<ImageRule> images = imageRules(a, keys);
        if (images.isEmpty()) {
            throw new Args.UsageError("give at least one --images rule: without one every image is refused");
        }
        Instant now = Instant.now();
        Optional<Role> policy = policyRole(a, keys);
        List<VerificationKey> releasers = publicKeys(a.all("--agent"));
        releasers.forEach(k -> keys.put(k.id(), k));
        Optional<Role> agent = releasers.isEmpty() ? Optional.empty() : Optional.of(new Role(ids(releasers), 1));
        TrustDocument doc;
        try {
            doc = new TrustDocument(1, now, keys, root, new Role(ids(operators), 1), images, expiry(a, now),
                    revokedImages(a, TrustDocument.RevokedImages.REPORT), policy, sigstore(a, SigstoreRoots.NONE), agent);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError(e.getMessage());
        }
        requireRootsForKeyless(doc);
        return write(doc, roots, Path.of(a.require("--out")));
    }

    private int rotate(Args a) throws Args.UsageError {
        Path currentFile = Path.of(a.require("--current"));
        TrustDocument current;
        try {
            current = TrustDocument.selfSigned(Files.readAllBytes(currentFile));
        } catch (IOException e) {
            throw new Args.UsageError("cannot read " + currentFile + ": " + e.getMessage());
        } catch (TrustFailure e) {
            throw new Args.UsageError(currentFile + " is not a valid trust document: " + e.getMessage());
        }
        List<SigningKey> signers = rootKeys(a);
        Map<KeyId, VerificationKey> keys = new LinkedHashMap<>(current.keys());
        Role root = current.root();
        if (!a.all("--root").isEmpty()) {
            List<VerificationKey> newRoots = publicKeys(a.all("--root"));
            newRoots.forEach(k -> keys.put(k.id(), k));
            root = new Role(ids(newRoots), threshold(a, 1));
        } else if (a.get("--root-threshold").isPresent()) {
            root = new Role(root.keys(), threshold(a, 1));
        }
        Set<KeyId> operators = new LinkedHashSet<>(current.operators().keys());
        if (!a.all("--operator").isEmpty()) {
            operators.clear();
            for (VerificationKey k : publicKeys(a.all("--operator"))) {
                keys.put(k.id(), k);
                operators.add(k.id());
            }
        }
        for (String revoked : a.all("--revoke")) {
            KeyId id = keyIdOf(revoked);
            if (!operators.remove(id)) {
                throw new Args.UsageError("--revoke " + revoked + ": key " + id.shortForm() + " is not an operator key of v" + current.version());
            }
        }
        if (operators.isEmpty()) {
            throw new Args.UsageError("the new document would have no operator key left; add one with --operator");
        }
        List<ImageRule> images = a.all("--images").isEmpty() && a.all("--reject").isEmpty() && a.all("--keyless").isEmpty()
                ? current.images() : imageRules(a, keys);
        Optional<Role> agent = current.agent();
        if (!a.all("--agent").isEmpty()) {
            List<VerificationKey> releasers = publicKeys(a.all("--agent"));
            releasers.forEach(k -> keys.put(k.id(), k));
            agent = Optional.of(new Role(ids(releasers), 1));
        }
        Instant now = Instant.now();
        Optional<Role> policy = a.all("--policy").isEmpty() ? current.policy() : policyRole(a, keys);
        TrustDocument next;
        try {
            next = new TrustDocument(current.version() + 1, now, used(keys, root, operators, images, policy, agent), root,
                    new Role(operators, 1), images, expiry(a, now), revokedImages(a, current.revokedImages()), policy,
                    sigstore(a, current.sigstore()), agent);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError(e.getMessage());
        }
        requireRootsForKeyless(next);
        return write(next, signers, Path.of(a.require("--out")));
    }

    /** Only the keys some role still names are carried into the next version: a revoked key leaves the document. */
    private static Map<KeyId, VerificationKey> used(Map<KeyId, VerificationKey> keys, Role root, Set<KeyId> operators, List<ImageRule> images,
            Optional<Role> policy, Optional<Role> agent) {
        Set<KeyId> named = new LinkedHashSet<>(root.keys());
        agent.ifPresent(r -> named.addAll(r.keys()));
        named.addAll(operators);
        policy.ifPresent(p -> named.addAll(p.keys()));
        images.forEach(i -> i.signers().ifPresent(r -> named.addAll(r.keys())));
        Map<KeyId, VerificationKey> out = new LinkedHashMap<>();
        named.forEach(id -> out.put(id, keys.get(id)));
        return out;
    }

    /** The policy role from {@code --policy} keys (one of them signs), added to {@code keys}; none when none is given. */
    private static Optional<Role> policyRole(Args a, Map<KeyId, VerificationKey> keys) throws Args.UsageError {
        List<VerificationKey> policy = publicKeys(a.all("--policy"));
        policy.forEach(k -> keys.put(k.id(), k));
        if (policy.isEmpty()) {
            if (a.get("--policy-threshold").isPresent()) {
                throw new Args.UsageError("--policy-threshold needs the policy keys (--policy)");
            }
            return Optional.empty();
        }
        int k;
        try {
            k = Integer.parseInt(a.get("--policy-threshold").orElse("1"));
            return Optional.of(new Role(ids(policy), k));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError("--policy-threshold: " + e.getMessage());
        }
    }

    private int sign(Args a) throws Args.UsageError {
        Path file = Path.of(a.require("--file"));
        try {
            Envelope env = Envelope.parse(Files.readAllBytes(file));
            for (SigningKey k : rootKeys(a)) {
                env = env.cosignedBy(k);
            }
            AtomicFiles.write(file, env.toJson());
            out.println(file + " now carries " + env.signatures().size() + " signature(s)");
            return Main.OK;
        } catch (IOException e) {
            throw new Args.UsageError("cannot sign " + file + ": " + e.getMessage());
        }
    }

    private int publish(Args a) throws Args.UsageError, MqttException {
        Path file = Path.of(a.require("--file"));
        byte[] bytes;
        TrustDocument doc;
        try {
            bytes = Files.readAllBytes(file);
            doc = TrustDocument.selfSigned(bytes);
        } catch (IOException e) {
            throw new Args.UsageError("cannot read " + file + ": " + e.getMessage());
        } catch (TrustFailure e) {
            throw new Args.UsageError(file + " would be refused by every device: " + e.getMessage());
        }
        Optional<String> device = a.get("--device");
        Optional<String> group = a.get("--group");
        if (device.isPresent() == group.isPresent()) {
            throw new Args.UsageError("give exactly one of --device and --group");
        }
        String topic = device.map(d -> new Topics(new DeviceId(d)).trust()).orElseGet(() -> Topics.groupTrust(group.get()));
        try (BrokerSession session = new BrokerSession(Main.broker(a))) {
            session.publishRetained(topic, bytes);
        }
        out.println("trust document v" + doc.version() + " published (retained) on " + topic);
        return Main.OK;
    }

    private int show(Args a) throws Args.UsageError {
        Path file = Path.of(a.require("--file"));
        try {
            Envelope env = Envelope.parse(Files.readAllBytes(file));
            out.println("signed by " + env.signatures().stream().map(s -> s.keyid().substring(0, Math.min(12, s.keyid().length()))).toList());
            out.println(new String(env.payload(), StandardCharsets.UTF_8));
            return Main.OK;
        } catch (IOException e) {
            throw new Args.UsageError("cannot read " + file + ": " + e.getMessage());
        }
    }

    private int write(TrustDocument doc, List<SigningKey> signers, Path file) throws Args.UsageError {
        Envelope env = Envelope.sign(TrustDocument.PAYLOAD_TYPE, doc.toJson(), signers);
        try {
            AtomicFiles.write(file, env.toJson());
        } catch (IOException e) {
            throw new Args.UsageError("cannot write " + file + ": " + e.getMessage());
        }
        out.println("trust document v" + doc.version() + " written to " + file + ": root " + doc.root().threshold() + " of "
                + doc.root().keys().size() + ", " + doc.operators().keys().size() + " operator key(s), " + doc.images().size() + " image rule(s), "
                + doc.expiresAt().map(e -> "expires " + e).orElse("never expires") + ", revoked images: " + doc.revokedImages().wire()
                + doc.policy().map(p -> ", policy keys: " + p.keys().size()).orElse(", no policy role")
                + (doc.sigstore().isEmpty() ? "" : ", Sigstore: " + doc.sigstore().fulcio().size() + " Fulcio certificate(s), "
                        + doc.sigstore().rekor().size() + " Rekor key(s)"));
        int have = (int) signers.stream().filter(k -> doc.root().keys().contains(k.id())).count();
        if (have < doc.root().threshold()) {
            out.println("  it needs " + (doc.root().threshold() - have) + " more root signature(s): edgectl trust sign --file " + file + " --root-key …");
        }
        return Main.OK;
    }

    private static List<SigningKey> rootKeys(Args a) throws Args.UsageError {
        List<String> files = a.all("--root-key");
        if (files.isEmpty()) {
            throw new Args.UsageError("give the root private key(s) that sign the document with --root-key");
        }
        char[] password = OperatorKey.password(a);
        List<SigningKey> out = new ArrayList<>();
        for (String f : files) {
            out.add(OperatorKey.read(Path.of(f), password));
        }
        return out;
    }

    private static List<VerificationKey> publicKeys(List<String> files) throws Args.UsageError {
        List<VerificationKey> out = new ArrayList<>();
        for (String f : files) {
            out.add(publicKey(f));
        }
        return out;
    }

    private static VerificationKey publicKey(String file) throws Args.UsageError {
        try {
            return KeyPem.readPublic(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Args.UsageError("cannot read the public key " + file + ": " + e.getMessage());
        } catch (KeyPem.KeyFormatException e) {
            throw new Args.UsageError("public key " + file + ": " + e.getMessage());
        }
    }

    private static KeyId keyIdOf(String fileOrId) throws Args.UsageError {
        return fileOrId.matches("[0-9a-f]{64}") ? new KeyId(fileOrId) : publicKey(fileOrId).id();
    }

    private static Set<KeyId> ids(List<VerificationKey> keys) {
        Set<KeyId> out = new LinkedHashSet<>();
        keys.forEach(k -> out.add(k.id()));
        return out;
    }

    /** Documents expire a year after issue unless told otherwise; devices keep a grace beyond that. */
    static final int DEFAULT_EXPIRY_DAYS = 365;

    private static Optional<Instant> expiry(Args a, Instant now) throws Args.UsageError {
        String given = a.get("--expires-in").orElse(String.valueOf(DEFAULT_EXPIRY_DAYS));
        int days;
        try {
            days = Integer.parseInt(given);
        } catch (NumberFormatException e) {
            days = -1;
        }
        if (days < 0 || days > 3660) {
            throw new Args.UsageError("--expires-in takes a number of days from 0 (never expires) to 3660, got '" + given + "'");
        }
        return days == 0 ? Optional.empty() : Optional.of(now.plus(java.time.Duration.ofDays(days)));
    }

    private static TrustDocument.RevokedImages revokedImages(Args a, TrustDocument.RevokedImages fallback) throws Args.UsageError {
        Optional<String> given = a.get("--revoked-images");
        if (given.isEmpty()) {
            return fallback;
        }
        for (TrustDocument.RevokedImages r : TrustDocument.RevokedImages.values()) {
            if (r.wire().equals(given.get())) {
                return r;
            }
        }
        throw new Args.UsageError("--revoked-images takes report or stop, got '" + given.get() + "'");
    }

    private static int threshold(Args a, int fallback) {
        return a.get("--root-threshold").map(Integer::parseInt).orElse(fallback);
    }

    /** {@code SCOPE=a.pub,b.pub:2} and {@code --reject SCOPE}, in the order given. */
    private static List<ImageRule> imageRules(Args a, Map<KeyId, VerificationKey> keys) throws Args.UsageError {
        List<ImageRule> rules = new ArrayList<>();
        for (String spec : a.all("--images")) {
            int eq = spec.indexOf('=');
            if (eq < 1) {
                throw new Args.UsageError("--images takes SCOPE=KEY.pub[,KEY2.pub][:K], got '" + spec + "'");
            }
            String scope = spec.substring(0, eq);
            String keyPart = spec.substring(eq + 1);
            int k = 1;
            int colon = keyPart.lastIndexOf(':');
            if (colon > 0 && keyPart.substring(colon + 1).matches("\\d+")) {
                k = Integer.parseInt(keyPart.substring(colon + 1));
                keyPart = keyPart.substring(0, colon);
            }
            List<VerificationKey> signers = publicKeys(List.of(keyPart.split(",")));
            signers.forEach(s -> keys.put(s.id(), s));
            rules.add(new ImageRule(scope, Optional.of(new Role(ids(signers), k))));
        }
        for (String spec : a.all("--keyless")) {
            String[] parts = spec.split("\\|", 3);
            if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
                throw new Args.UsageError("--keyless takes 'SCOPE|ISSUER|SUBJECT' (~ before ISSUER or SUBJECT: a pattern), got '" + spec + "'");
            }
            KeylessIdentity identity;
            try {
                identity = new KeylessIdentity(strip(parts[1]), parts[1].startsWith("~"), strip(parts[2]), parts[2].startsWith("~"));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageError("--keyless " + spec + ": " + e.getMessage());
            }
            int at = -1;
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).scope().equals(parts[0])) {
                    at = i;
                }
            }
            if (at < 0) {
                rules.add(new ImageRule(parts[0], Optional.empty(), List.of(identity)));
            } else {
                ImageRule r = rules.get(at);
                List<KeylessIdentity> ids = new ArrayList<>(r.identities());
                ids.add(identity);
                rules.set(at, new ImageRule(r.scope(), r.signers(), ids));
            }
        }
        for (String scope : a.all("--reject")) {
            rules.add(new ImageRule(scope, Optional.empty()));
        }
        return rules;
    }

    private static String strip(String s) {
        return s.startsWith("~") ? s.substring(1) : s;
    }

    /** The Sigstore material given on the command line, or {@code fallback} when none is. */
    private static SigstoreRoots sigstore(Args a, SigstoreRoots fallback) throws Args.UsageError {
        Optional<String> trustedRoot = a.get("--trusted-root");
        List<String> fulcio = a.all("--fulcio");
        List<String> rekor = a.all("--rekor");
        if (trustedRoot.isPresent()) {
            if (!fulcio.isEmpty() || !rekor.isEmpty()) {
                throw new Args.UsageError("give --trusted-root or --fulcio/--rekor, not both");
            }
            try {
                return TrustedRootJson.read(Files.readAllBytes(Path.of(trustedRoot.get())));
            } catch (IOException | RuntimeException e) {
                throw new Args.UsageError("trusted root " + trustedRoot.get() + ": " + e.getMessage());
            }
        }
        if (fulcio.isEmpty() && rekor.isEmpty()) {
            return fallback;
        }
        if (fulcio.isEmpty() || rekor.isEmpty()) {
            throw new Args.UsageError("keyless verification needs both --fulcio certificates and --rekor keys");
        }
        List<X509Certificate> certs = new ArrayList<>();
        for (String f : fulcio) {
            try {
                certs.addAll(CertificatePem.readAll(Files.readString(Path.of(f), StandardCharsets.US_ASCII)));
            } catch (IOException | KeyPem.KeyFormatException e) {
                throw new Args.UsageError("Fulcio certificates " + f + ": " + e.getMessage());
            }
        }
        if (certs.isEmpty()) {
            throw new Args.UsageError("--fulcio " + fulcio + " holds no PEM certificate");
        }
        return new SigstoreRoots(certs, publicKeys(rekor));
    }

    /** A keyless identity rule without pinned Fulcio and Rekor material could never let an image in: say so now. */
    private static void requireRootsForKeyless(TrustDocument doc) throws Args.UsageError {
        if (doc.sigstore().isEmpty() && doc.images().stream().anyMatch(r -> !r.identities().isEmpty())) {
            throw new Args.UsageError("--keyless rules need the Fulcio certificates and Rekor keys to check them: give --fulcio and --rekor, "
                    + "or --trusted-root");
        }
    }
}
