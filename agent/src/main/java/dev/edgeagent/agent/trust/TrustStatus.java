package dev.edgeagent.agent.trust;

import dev.edgeagent.security.sign.TrustDocument;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code trust} section of a signed device's status: the document in force, whether it expired, and what it revokes. */
public final class TrustStatus {
    private TrustStatus() {}

    public static Map<String, Object> of(TrustDocument doc, Instant now, List<RevokedImages.Revoked> revoked) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "signed");
        m.put("version", doc.version());
        doc.expiresAt().ifPresent(e -> {
            m.put("expiresAt", e.toString());
            m.put("ordersRefusedAfter", e.plus(TrustDocument.EXPIRY_GRACE).toString());
        });
        m.put("expired", doc.standing(now) != TrustDocument.Standing.VALID);
        m.put("revokedImages", revoked.stream().map(r -> r.app().value()).toList());
        return m;
    }
}
