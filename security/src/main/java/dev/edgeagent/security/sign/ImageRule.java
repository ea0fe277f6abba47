package dev.edgeagent.security.sign;

import java.util.List;
import java.util.Optional;

/**
 * Which signatures an image needs, by repository: {@code scope} is {@code registry/repository} exactly, a prefix
 * ending in {@code /*}, or {@code *}. An image is let in by {@code signers} (k of n keys), or by one keyless
 * signature from one of {@code identities}. A rule with neither refuses images in scope outright.
 */
public record ImageRule(String scope, Optional<Role> signers, List<KeylessIdentity> identities) {
    public ImageRule {
        if (scope == null || !(scope.equals("*") || scope.matches("[a-zA-Z0-9.:\\-]+(/[a-z0-9._\\-]+)*(/\\*)?"))) {
            throw new IllegalArgumentException("image scope '" + scope + "' must be registry/repository, a prefix ending in /*, or *");
        }
        identities = List.copyOf(identities);
    }

    /** A keyed rule (or a refusing one, with no signers), as older documents wrote them. */
    public ImageRule(String scope, Optional<Role> signers) {
        this(scope, signers, List.of());
    }

    /** True when nothing can let an image in scope in. */
    public boolean rejects() {
        return signers.isEmpty() && identities.isEmpty();
    }

    /** How specifically this rule names {@code repository} (registry/path), or -1 when it does not. */
    public int specificity(String repository) {
        if (scope.equals("*")) {
            return 0;
        }
        if (scope.endsWith("/*")) {
            String prefix = scope.substring(0, scope.length() - 1);
            return repository.startsWith(prefix) ? prefix.length() : -1;
        }
        return scope.equals(repository) ? Integer.MAX_VALUE : -1;
    }
}
