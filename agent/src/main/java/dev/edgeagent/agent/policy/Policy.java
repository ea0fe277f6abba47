package dev.edgeagent.agent.policy;

import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.security.sign.SignedPolicy.Enforcement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The isolation policy in force: a device profile, its version (0 for the profile the config names, the bootstrap),
 * the digest of what was signed (or of the profile file), what happens to running apps beyond it, and where it came
 * from ({@code config}, or the target it was signed for).
 */
public record Policy(DeviceProfile profile, long version, Digest digest, Enforcement enforcement, String source) {
    public Policy {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(enforcement, "enforcement");
        Objects.requireNonNull(source, "source");
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative");
        }
    }

    /** The profile the config names: version 0, in force until a signed policy arrives. */
    public static Policy bootstrap(DeviceProfile profile, Digest digest) {
        return new Policy(profile, 0, digest, Enforcement.REPORT, "config");
    }

    /** Name, version, digest, enforcement and source, as status shows them. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", profile.name());
        m.put("version", version);
        m.put("digest", digest.toString());
        m.put("enforcement", enforcement.wire());
        m.put("source", source);
        return m;
    }
}
