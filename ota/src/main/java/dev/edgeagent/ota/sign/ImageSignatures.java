package dev.edgeagent.ota.sign;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.sign.CosignSignatures;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.security.sigstore.BundleVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides on an image from all its signatures, whatever their layout: legacy cosign signatures and Sigstore
 * bundles count together towards the rule's key threshold; one keyless bundle from an allowed identity is enough
 * on its own. A refusal lists what failed for each signature found.
 */
final class ImageSignatures {
    private ImageSignatures() {}

    /** What let an image in: the trusted keys that signed it, or the keyless identity (then no keys). */
    record Decision(Set<KeyId> keys, java.util.Optional<String> keyless) {
        Decision {
            keys = Set.copyOf(keys);
        }
    }

    /** What let the image in, or a refusal naming what failed for each signature found. */
    static Decision decide(List<CosignSignatures.Signed> legacy, List<Referrers.Found> bundles, Digest manifest, String repository,
            ImageRule rule, TrustDocument doc) throws TrustFailure {
        String image = repository + "@" + manifest;
        if (legacy.isEmpty() && bundles.isEmpty()) {
            throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + " is not signed (no signature: no referrers at tag "
                    + Referrers.tagFor(manifest) + " or through the referrers API, none at " + CosignSignatures.tagFor(manifest) + ")");
        }
        if (bundles.isEmpty() && rule.signers().isPresent()) {
            // the legacy layout alone: decided (and refused with the same words) as before bundles existed
            return new Decision(CosignSignatures.verify(legacy, manifest, repository, rule, doc.keys()), java.util.Optional.empty());
        }
        Set<KeyId> keys = new TreeSet<>();
        List<String> reasons = new ArrayList<>();
        if (!legacy.isEmpty()) {
            if (rule.signers().isPresent()) {
                Set<KeyId> valid = CosignSignatures.validSigners(legacy, manifest, repository, rule.signers().get(), doc.keys());
                keys.addAll(valid);
                if (valid.isEmpty()) {
                    reasons.add("legacy signatures at " + CosignSignatures.tagFor(manifest) + ": wrong key or another image (none of "
                            + legacy.size() + " verifies for this image with a key trusted for " + rule.scope() + ")");
                }
            } else {
                reasons.add("legacy signatures at " + CosignSignatures.tagFor(manifest) + ": rule " + rule.scope() + " trusts only keyless identities");
            }
        }
        for (Referrers.Found f : bundles) {
            BundleVerifier.Verdict v = BundleVerifier.verify(f.bundle(), manifest, rule, doc.keys(), doc.sigstore());
            if (v.identity().isPresent()) {
                return new Decision(Set.of(), v.identity());
            }
            v.key().ifPresent(keys::add);
            if (!v.accepted()) {
                reasons.add("bundle " + f.manifest().shortHex() + ": " + v.detail());
            }
        }
        int needed = rule.signers().map(r -> r.threshold()).orElse(Integer.MAX_VALUE);
        if (keys.size() >= needed) {
            return new Decision(keys, java.util.Optional.empty());
        }
        if (!keys.isEmpty()) {
            reasons.add(0, keys.size() + " valid signature(s) from keys trusted for " + rule.scope() + "; " + needed + " are required");
        }
        throw new TrustFailure(ErrorCode.IMAGE_NOT_TRUSTED, image + " refused: " + String.join("; ", reasons));
    }
}
