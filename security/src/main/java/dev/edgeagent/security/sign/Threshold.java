package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Counts the distinct keys of a role whose signatures over one message are valid, and demands k of them. */
public final class Threshold {
    private Threshold() {}

    /** One signature as it came: with the key id it claims (DSSE) or none (cosign, checked against every role key). */
    public record Candidate(Optional<String> keyid, byte[] sig) {}

    /** The valid signers, at least {@code role.threshold()} of them; otherwise a failure saying which check failed. */
    public static Set<KeyId> require(byte[] message, List<Candidate> candidates, Role role, Map<KeyId, VerificationKey> keys,
            String what) throws TrustFailure {
        if (candidates.isEmpty()) {
            throw new TrustFailure(ErrorCode.UNSIGNED, what + " carries no signature");
        }
        Set<KeyId> valid = new TreeSet<>();
        int known = 0;
        for (Candidate c : candidates) {
            for (KeyId id : role.keys()) {
                if (c.keyid().isPresent() && !c.keyid().get().equals(id.value())) {
                    continue;
                }
                VerificationKey key = keys.get(id);
                if (key == null) {
                    continue;
                }
                known++;
                if (key.verifies(message, c.sig())) {
                    valid.add(id);
                    break;
                }
            }
        }
        if (valid.size() >= role.threshold()) {
            return valid;
        }
        if (known == 0) {
            throw new TrustFailure(ErrorCode.UNKNOWN_KEY, what + " is signed only by keys this device does not trust for it"
                    + keyList(candidates));
        }
        if (valid.isEmpty()) {
            throw new TrustFailure(ErrorCode.BAD_SIGNATURE, what + ": no signature verifies against the trusted keys");
        }
        throw new TrustFailure(ErrorCode.BAD_SIGNATURE, what + " has " + valid.size() + " valid signature(s) from trusted keys; "
                + role.threshold() + " are required");
    }

    private static String keyList(List<Candidate> candidates) {
        List<String> ids = candidates.stream().flatMap(c -> c.keyid().stream())
                .map(k -> k.length() > 12 ? k.substring(0, 12) : k).toList();
        return ids.isEmpty() ? "" : " (signed by " + String.join(", ", ids) + ")";
    }
}
