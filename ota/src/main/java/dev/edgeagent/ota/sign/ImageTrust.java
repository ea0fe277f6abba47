package dev.edgeagent.ota.sign;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;

/** Decides whether an image may be pulled, given the digest its reference resolved to, before any blob is fetched. */
@FunctionalInterface
public interface ImageTrust {
    /** Trusts every image: for lab agents that run with {@code allowUnsigned}. */
    ImageTrust UNCHECKED = (ref, digest) -> java.util.Set.of();

    /**
     * The keys whose valid signatures let the image in (recorded with the app, so a later trust document that
     * revokes them can be checked against what runs); empty when nothing was checked.
     */
    java.util.Set<dev.edgeagent.security.sign.KeyId> check(ImageRef ref, Digest manifest) throws OtaException;
}
