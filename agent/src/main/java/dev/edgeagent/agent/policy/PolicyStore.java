package dev.edgeagent.agent.policy;

import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.SignedPolicy;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;

/**
 * The policy in force ({@code trust/policy.json}, the signed envelope as received). Without one, the profile the
 * config names is in force as version 0. A new policy replaces it only when signed by the trust document's policy
 * role, for this device or one of its groups, with a higher version, and for this host's platform; it is written to
 * disk before it takes effect, so a restart keeps it whatever the config names.
 */
public final class PolicyStore {
    /** What an offered policy did. */
    public enum Outcome { ACCEPTED, ALREADY_IN_FORCE }

    private final Path file;
    private final Platform host;
    private volatile Policy current;
    private volatile byte[] currentBytes;
    private volatile byte[] currentPayload;
    private volatile java.util.List<String> signers = java.util.List.of();

    private PolicyStore(Path file, Platform host, Policy current, byte[] bytes, byte[] payload) {
        this.file = file;
        this.host = host;
        this.current = current;
        this.currentBytes = bytes;
        this.currentPayload = payload;
    }

    /**
     * The stored policy, else the bootstrap. The stored envelope was verified before it was written into the
     * root-only trust directory; it is not verified again, so a later rotation of the policy keys does not drop the
     * fence a device runs under back to its bootstrap.
     */
    public static PolicyStore open(Path trustDir, Policy bootstrap, Platform host) throws IOException {
        Path file = trustDir.resolve("policy.json");
        if (!Files.exists(file)) {
            return new PolicyStore(file, host, bootstrap, new byte[0], new byte[0]);
        }
        byte[] stored = Files.readAllBytes(file);
        try {
            Envelope env = Envelope.parse(stored, SignedPolicy.MAX_BYTES);
            SignedPolicy p = SignedPolicy.fromJson(env.payload());
            DeviceProfile profile = profile(p, host);
            return new PolicyStore(file, host, new Policy(profile, p.version(), Digest.sha256Of(env.payload()), p.enforcement(), p.target()),
                    stored, env.payload());
        } catch (IOException | TrustFailure e) {
            throw new IOException("stored policy " + file + " is not usable: " + e.getMessage(), e);
        }
    }

    public Policy current() {
        return current;
    }

    /** The policy keys that signed the policy accepted last in this run (for the audit trail). */
    public java.util.List<String> signers() {
        return signers;
    }

    public DeviceProfile profile() {
        return current.profile();
    }

    /**
     * Takes a policy that arrived for {@code targets}, or refuses it. The policy in force arriving again (the retained
     * copy at each reconnect) is no news and costs no verification; any other must be signed by the policy role, newer
     * than the one in force (a different document under the same version is refused too) and for this platform.
     */
    public synchronized Outcome offer(byte[] envelope, Set<String> targets, Instant now, TrustDocument trust) throws TrustFailure {
        if (Arrays.equals(envelope, currentBytes)) {
            return Outcome.ALREADY_IN_FORCE;
        }
        SignedPolicy.Verified v = SignedPolicy.open(envelope, targets, now, trust);
        SignedPolicy p = v.statement();
        if (p.version() == current.version() && Arrays.equals(v.payload(), currentPayload)) {
            return Outcome.ALREADY_IN_FORCE; // the same policy, signed again by other policy keys
        }
        if (p.version() <= current.version()) {
            throw new TrustFailure(ErrorCode.REPLAYED, "policy v" + p.version() + (p.version() == current.version()
                    ? " differs from the v" + current.version() + " in force; a changed policy needs a higher version"
                    : " is older than the v" + current.version() + " in force"));
        }
        DeviceProfile profile = profile(p, host);
        try {
            AtomicFiles.write(file, envelope);
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.STORAGE_ERROR, "policy v" + p.version() + " could not be stored: " + e.getMessage());
        }
        current = new Policy(profile, p.version(), v.digest(), p.enforcement(), p.target());
        currentBytes = envelope.clone();
        currentPayload = v.payload();
        signers = v.signers().stream().map(k -> k.value()).sorted().toList();
        return Outcome.ACCEPTED;
    }

    private static DeviceProfile profile(SignedPolicy p, Platform host) throws TrustFailure {
        DeviceProfile profile;
        try {
            profile = DeviceProfiles.parse(Json.compact(p.profile()), "policy v" + p.version() + " profile");
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        if (!profile.platform().os().equals(host.os()) || !profile.platform().architecture().equals(host.architecture())) {
            throw new TrustFailure(ErrorCode.BAD_REQUEST, "policy v" + p.version() + ": profile " + profile.name() + " is for "
                    + profile.platform() + " but this host is " + host);
        }
        return profile;
    }
}
