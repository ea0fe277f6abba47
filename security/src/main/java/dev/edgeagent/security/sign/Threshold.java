package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts the distinct keys of a role whose signatures over one message are valid, and demands k of them. What is
 * verified is bounded before any verification: at most {@link #MAX_CANDIDATES} signatures, one per claimed key id,
 * and each key id of the role checked at most once for a claimed id.
 */
public final class Threshold {
    /** As many signatures as a cosign signature manifest is read for; no role here needs more. */
    public static final int MAX_CANDIDATES = 32;

    private Threshold() {}

    /** One signature as it came: with the key id it claims (DSSE) or none (cosign, checked against every role key). */
    public record Candidate(Optional<String> keyid, byte[] sig) {}

    /** One verification to run: this signature against this role key. */
    record Check(Candidate candidate, KeyId key) {}

    /** The valid signers, at least {@code role.threshold()} of them; otherwise a failure saying which check failed. */
    public static Set<KeyId> require(byte[] message, List<Candidate> candidates, Role role, Map<KeyId, VerificationKey> keys,
            String what) throws TrustFailure {
        if (candidates.isEmpty()) {
            throw new TrustFailure(ErrorCode.UNSIGNED, what + " carries no signature");
        }
        Set<KeyId> valid = new TreeSet<>();
        List<Check> checks = plan(candidates, role, keys, what);
        for (Check c : checks) {
            if (!valid.contains(c.key()) && keys.get(c.key()).verifies(message, c.candidate().sig())) {
                valid.add(c.key());
            }
        }
        if (valid.size() >= role.threshold()) {
            return valid;
        }
        if (checks.isEmpty()) {
            throw new TrustFailure(ErrorCode.UNKNOWN_KEY, what + " is signed only by keys this device does not trust for it"
                    + keyList(candidates));
        }
        if (valid.isEmpty()) {
            throw new TrustFailure(ErrorCode.BAD_SIGNATURE, what + ": no signature verifies against the trusted keys");
        }
        throw new TrustFailure(ErrorCode.BAD_SIGNATURE, what + " has " + valid.size() + " valid signature(s) from trusted keys; "
                + role.threshold() + " are required");
    }

    /**
     * The verifications {@link #require} runs, decided before any runs: a signature claiming a key id is checked
     * against that key only, and only the first signature claiming an id; one claiming none against each role key.
     */
    static List<Check> plan(List<Candidate> candidates, Role role, Map<KeyId, VerificationKey> keys, String what)
            throws TrustFailure {
        if (candidates.size() > MAX_CANDIDATES) {
            throw new TrustFailure(ErrorCode.BAD_SIGNATURE, what + " carries " + candidates.size() + " signatures; at most "
                    + MAX_CANDIDATES + " are checked");
        }
        Set<String> claimed = new HashSet<>();
        List<Check> checks = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.keyid().isPresent() && !claimed.add(c.keyid().get())) {
                continue; // a second signature under the same key id adds nothing but work
            }
            for (KeyId id : role.sortedKeys()) {
                if ((c.keyid().isEmpty() || c.keyid().get().equals(id.value())) && keys.containsKey(id)) {
                    checks.add(new Check(c, id));
                }
            }
        }
        return checks;
    }

    private static String keyList(List<Candidate> candidates) {
        List<String> ids = candidates.stream().flatMap(c -> c.keyid().stream())
                .map(k -> k.length() > 12 ? k.substring(0, 12) : k).toList();
        return ids.isEmpty() ? "" : " (signed by " + String.join(", ", ids) + ")";
    }
}
