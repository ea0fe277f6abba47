package dev.edgeagent.ota.sign;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.FetchedManifest;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.CosignSignatures;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Checks an image against the trust document in force: fetches the legacy cosign signature manifest for its digest
 * (each payload verified against its layer digest) and the Sigstore bundles attached to it as OCI referrers, and
 * demands the signatures the repository's rule names ({@link ImageSignatures}).
 */
public final class CosignVerifier implements ImageTrust {
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    static final int MAX_SIGNATURES = 32;

    private final RegistryClient registry;
    private final Supplier<TrustDocument> trust;

    public CosignVerifier(RegistryClient registry, Supplier<TrustDocument> trust) {
        this.registry = registry;
        this.trust = trust;
    }

    /** {@code registry/repository}, as cosign writes it in {@code docker-reference}. */
    public static String repositoryOf(ImageRef ref) {
        return ref.registry() + "/" + ref.repository();
    }

    @Override
    public Set<KeyId> check(ImageRef ref, Digest manifest) throws OtaException {
        TrustDocument doc = trust.get();
        String repository = repositoryOf(ref);
        Optional<ImageRule> rule = doc.imageRule(repository);
        if (rule.isEmpty()) {
            throw new OtaException(ErrorCode.IMAGE_NOT_TRUSTED, "trust document v" + doc.version() + " has no rule for " + repository
                    + ", so its images are refused");
        }
        if (rule.get().rejects()) {
            throw new OtaException(ErrorCode.IMAGE_NOT_TRUSTED, "images from " + repository + " are refused by the trust policy (rule "
                    + rule.get().scope() + ")");
        }
        List<CosignSignatures.Signed> legacy = fetch(ref, manifest);
        List<Referrers.Found> bundles = new Referrers(registry).bundles(ref, manifest);
        try {
            ImageSignatures.Decision d = ImageSignatures.decide(legacy, bundles, manifest, repository, rule.get(), doc);
            Logger.info("image {}@{} trusted: {} (rule {})", repository, manifest.shortHex(),
                    d.keyless().orElseGet(() -> "signed by " + d.keys().stream().map(KeyId::shortForm).toList()), rule.get().scope());
            return d.keys();
        } catch (TrustFailure e) {
            throw new OtaException(e.code(), e.getMessage());
        }
    }

    /** The signatures stored for {@code manifest}; none when there is no signature manifest. */
    public List<CosignSignatures.Signed> fetch(ImageRef ref, Digest manifest) throws OtaException {
        ImageRef sigRef = ImageRef.parse(repositoryOf(ref) + ":" + CosignSignatures.tagFor(manifest));
        Optional<FetchedManifest> fetched = registry.manifestAtTag(sigRef, CosignSignatures.tagFor(manifest));
        if (fetched.isEmpty()) {
            return List.of();
        }
        SignatureManifest sigs;
        try {
            sigs = SignatureManifest.parse(fetched.get().bytes());
        } catch (IOException | RuntimeException e) {
            throw new OtaException(ErrorCode.IMAGE_NOT_TRUSTED, "the signature manifest of " + ref.repository() + "@" + manifest
                    + " is unreadable: " + e.getMessage());
        }
        List<CosignSignatures.Signed> out = new ArrayList<>();
        for (SignatureManifest.Layer l : sigs.layers().subList(0, Math.min(MAX_SIGNATURES, sigs.layers().size()))) {
            out.add(new CosignSignatures.Signed(registry.smallBlob(sigRef, l.payload(), MAX_PAYLOAD_BYTES), l.signature()));
        }
        return out;
    }
}
