package dev.edgeagent.agent.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.security.userns.IdRange;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevokedImagesTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    final SigningKey root = SigningKey.generate(KeyKind.ED25519);
    final SigningKey operator = SigningKey.generate(KeyKind.ED25519);
    final SigningKey builder = SigningKey.generate(KeyKind.ED25519);
    final SigningKey builder2 = SigningKey.generate(KeyKind.ED25519);
    final SigningKey newBuilder = SigningKey.generate(KeyKind.ED25519);
    @TempDir
    Path dir;

    TrustDocument doc(long version, List<ImageRule> images, SigningKey... builders) {
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(root, operator)) {
            keys.put(k.id(), k.publicKey());
        }
        for (SigningKey k : builders) {
            keys.put(k.id(), k.publicKey());
        }
        return new TrustDocument(version, NOW, keys, new Role(Set.of(root.id()), 1), new Role(Set.of(operator.id()), 1), images);
    }

    static ImageRule rule(String scope, int threshold, SigningKey... keys) {
        return new ImageRule(scope, Optional.of(new Role(Set.of(java.util.Arrays.stream(keys).map(SigningKey::id).toArray(KeyId[]::new)),
                threshold)));
    }

    static AppRecord app(String name, String image, AppPhase phase, Set<KeyId> signers) {
        return AppRecord.deployed(new AppName(name), ImageRef.parse(image + "@" + Digest.sha256Of(name.getBytes())), Digest.sha256Of(name.getBytes()),
                1, new ContainerId(name + "-1"), new IdRange(1_048_576, 65536), new ResourceLimits(64L << 20, 32, 1000), RestartMode.NO,
                Digest.sha256Of(new byte[] {1}), NOW).withPhase(phase, NOW).signedBy(signers);
    }

    @Test
    void aKeySignedAppIsRevokedWhenItsRuleTurnsKeylessOnly() {
        AppRecord demo = app("demo", "localhost:5000/apps/demo:1", AppPhase.RUNNING, Set.of(builder.id()));
        ImageRule keylessOnly = new ImageRule("localhost:5000/apps/*", Optional.empty(),
                List.of(dev.edgeagent.security.sign.KeylessIdentity.exact("https://issuer.example", "https://ci.example/release")));
        List<RevokedImages.Revoked> revoked = RevokedImages.check(doc(2, List.of(keylessOnly)), List.of(demo));
        assertEquals(1, revoked.size());
        assertTrue(revoked.get(0).reason().contains("now trusts only keyless signers"), revoked.get(0).reason());
    }

    @Test
    void anAppIsRevokedWhenItsRecordedSignersNoLongerSatisfyItsRule() {
        AppRecord demo = app("demo", "localhost:5000/apps/demo:1", AppPhase.RUNNING, Set.of(builder.id()));
        AppRecord pair = app("pair", "localhost:5000/apps/pair:1", AppPhase.RESTARTING, Set.of(builder.id(), builder2.id()));
        AppRecord stopped = app("idle", "localhost:5000/apps/idle:1", AppPhase.STOPPED, Set.of(builder.id()));
        AppRecord lab = app("lab", "localhost:5000/apps/lab:1", AppPhase.RUNNING, Set.of());
        List<AppRecord> apps = List.of(demo, pair, stopped, lab);

        assertEquals(List.of(), RevokedImages.check(doc(1, List.of(rule("localhost:5000/apps/*", 1, builder, builder2)), builder, builder2), apps));

        // builder's key revoked: demo has no trusted signer left; pair still has builder2 for a threshold of 1
        List<RevokedImages.Revoked> revoked = RevokedImages.check(doc(2, List.of(rule("localhost:5000/apps/*", 1, builder2, newBuilder)),
                builder2, newBuilder), apps);
        assertEquals(List.of(new AppName("demo")), revoked.stream().map(RevokedImages.Revoked::app).toList());
        assertTrue(revoked.get(0).reason().contains("0 of them still count") && revoked.get(0).reason().contains("requires 1"),
                revoked.get(0).reason());

        // a threshold raised to 2 of the same keys revokes the app with one signer
        assertEquals(List.of(new AppName("demo")), RevokedImages.check(doc(3, List.of(rule("localhost:5000/apps/*", 2, builder, builder2)),
                builder, builder2), apps).stream().map(RevokedImages.Revoked::app).toList());

        // the repository rejected, or named by no rule at all
        List<RevokedImages.Revoked> rejected = RevokedImages.check(doc(4, List.of(new ImageRule("localhost:5000/apps/*", Optional.empty()))),
                apps);
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).reason().contains("refuses images from localhost:5000/apps/demo"), rejected.get(0).reason());
        assertTrue(RevokedImages.check(doc(5, List.of()), apps).get(0).reason().contains("no rule for"));
    }

    @Test
    void theSignersAreRecordedWithTheAppAndSurviveARestart() throws Exception {
        StateStore state = new StateStore(dir);
        state.put(app("demo", "localhost:5000/apps/demo:1", AppPhase.RUNNING, Set.of(builder.id(), builder2.id())));
        assertEquals(Set.of(builder.id(), builder2.id()), new StateStore(dir).app(new AppName("demo")).orElseThrow().signers());
        assertEquals(Set.of(builder.id(), builder2.id()), new StateStore(dir).app(new AppName("demo")).orElseThrow()
                .restarted(NOW).withPhase(AppPhase.RUNNING, NOW).signers());
    }

    @Test
    void statusSaysWhenTheDocumentExpiredAndWhichAppsItRevokes() {
        TrustDocument expiring = doc(1, List.of()).with(Optional.of(NOW.plus(Duration.ofDays(10))), TrustDocument.RevokedImages.REPORT);
        Map<String, Object> fresh = TrustStatus.of(expiring, NOW, List.of());
        assertEquals(false, fresh.get("expired"));
        assertEquals(NOW.plus(Duration.ofDays(10)).toString(), fresh.get("expiresAt"));
        assertEquals(NOW.plus(Duration.ofDays(100)).toString(), fresh.get("ordersRefusedAfter"));
        Map<String, Object> late = TrustStatus.of(expiring, NOW.plus(Duration.ofDays(11)),
                List.of(new RevokedImages.Revoked(new AppName("demo"), "localhost:5000/apps/demo:1", "because")));
        assertEquals(true, late.get("expired"));
        assertEquals(List.of("demo"), late.get("revokedImages"));
        assertEquals(false, TrustStatus.of(doc(1, List.of()), NOW.plus(Duration.ofDays(3650)), List.of()).get("expired"));
    }
}
