package dev.edgeagent.agent.trust;

import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.ota.sign.CosignVerifier;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.TrustDocument;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Which running apps a trust document no longer trusts. The signatures were verified at deploy and their keys
 * recorded with the app, so no signature is fetched or checked again: an app is revoked when its recorded
 * signers, those keys the document still lists, no longer satisfy the image rule for its repository (a key left
 * out, a threshold raised, the repository rejected or no longer named). Apps with no recorded signers (a lab
 * agent, or deployed before signers were recorded) cannot be judged and are left alone.
 */
public final class RevokedImages {
    private RevokedImages() {}

    /** One app the document no longer trusts, and why, in a sentence. */
    public record Revoked(AppName app, String image, String reason) {}

    public static List<Revoked> check(TrustDocument doc, Collection<AppRecord> apps) {
        List<Revoked> out = new ArrayList<>();
        for (AppRecord app : apps) {
            if (app.signers().isEmpty() || !(app.phase() == AppPhase.RUNNING || app.phase() == AppPhase.RESTARTING)) {
                continue;
            }
            reason(doc, app).ifPresent(r -> out.add(new Revoked(app.name(), app.image().toString(), r)));
        }
        return out;
    }

    private static Optional<String> reason(TrustDocument doc, AppRecord app) {
        String repository = CosignVerifier.repositoryOf(app.image());
        Optional<ImageRule> rule = doc.imageRule(repository);
        if (rule.isEmpty()) {
            return Optional.of("trust document v" + doc.version() + " has no rule for " + repository);
        }
        if (rule.get().rejects()) {
            return Optional.of("trust document v" + doc.version() + " refuses images from " + repository + " (rule "
                    + rule.get().scope() + ")");
        }
        if (rule.get().signers().isEmpty()) {
            return Optional.of("its image was signed by keys " + app.signers().stream().map(KeyId::shortForm).sorted().toList()
                    + ", and rule " + rule.get().scope() + " of trust document v" + doc.version() + " now trusts only keyless signers");
        }
        long still = app.signers().stream().filter(k -> rule.get().signers().get().keys().contains(k) && doc.keys().containsKey(k))
                .count();
        int needed = rule.get().signers().get().threshold();
        if (still >= needed) {
            return Optional.empty();
        }
        return Optional.of("its image was signed by " + app.signers().stream().map(KeyId::shortForm).sorted().toList() + "; "
                + still + " of them still count under rule " + rule.get().scope() + " of trust document v" + doc.version()
                + ", which requires " + needed);
    }
}
