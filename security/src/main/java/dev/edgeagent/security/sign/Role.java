package dev.edgeagent.security.sign;

import java.util.Set;
import java.util.TreeSet;

/** The keys that may sign for one role and how many distinct ones must (k of n). */
public record Role(Set<KeyId> keys, int threshold) {
    public Role {
        keys = Set.copyOf(keys);
        if (threshold < 1 || threshold > keys.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " must be between 1 and the " + keys.size() + " keys listed");
        }
    }

    /** The ids sorted, for documents that must serialize the same way twice. */
    public TreeSet<KeyId> sortedKeys() {
        return new TreeSet<>(keys);
    }
}
