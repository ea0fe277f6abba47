package dev.edgeagent.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedPolicy;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only a newer policy signed by the policy keys, for this platform, replaces the one in force; it is on disk first. */
class PolicyStoreTest {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey SECURITY = SigningKey.generate(KeyKind.ED25519);
    static final Platform HOST = Platform.parse("linux/amd64");
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static final TrustDocument TRUST = new TrustDocument(1, NOW, Map.of(ROOT.id(), ROOT.publicKey(), OPERATOR.id(), OPERATOR.publicKey(),
            SECURITY.id(), SECURITY.publicKey()), new Role(Set.of(ROOT.id()), 1), new Role(Set.of(OPERATOR.id()), 1), List.of())
            .withPolicy(Optional.of(new Role(Set.of(SECURITY.id()), 1)));

    @TempDir
    Path dir;

    static Map<String, Object> profile(String name, String platform) {
        return Map.of("name", name, "platform", platform, "defaults", Map.of("memoryBytes", 16L << 20, "pids", 16, "cpus", 0.5),
                "ceilings", Map.of("memoryBytes", 64L << 20, "pids", 64, "cpus", 1.0, "storageBytes", 1L << 30));
    }

    static byte[] signed(long version, Map<String, Object> profile, SigningKey key) {
        return new SignedPolicy("gw-1", version, NOW, SignedPolicy.Enforcement.REPORT, profile).signWith(List.of(key)).toJson();
    }

    PolicyStore open() throws Exception {
        return PolicyStore.open(dir, Policy.bootstrap(DeviceProfiles.builtin("generic-x86_64"), Digest.sha256Of(new byte[0])), HOST);
    }

    @Test
    void theBootstrapRulesUntilANewerSignedPolicyWhichIsStoredAndKeptAcrossRestarts() throws Exception {
        PolicyStore store = open();
        assertEquals(0, store.current().version());
        assertEquals("config", store.current().source());
        assertEquals(PolicyStore.Outcome.ACCEPTED, store.offer(signed(3, profile("tight", "linux/amd64"), SECURITY), Set.of("gw-1"), NOW, TRUST));
        assertEquals("tight", store.profile().name());
        assertEquals(List.of(SECURITY.id().value()), store.signers());
        assertTrue(Files.exists(dir.resolve("policy.json")));
        PolicyStore again = open();
        assertEquals(3, again.current().version());
        assertEquals("tight", again.profile().name());
        assertEquals(store.current().digest(), again.current().digest());
        assertEquals(PolicyStore.Outcome.ALREADY_IN_FORCE, again.offer(signed(3, profile("tight", "linux/amd64"), SECURITY),
                Set.of("gw-1"), NOW, TRUST));
    }

    @Test
    void olderReusedOperatorSignedOrForeignPoliciesAreRefusedAndLeaveNothingBehind() throws Exception {
        PolicyStore store = open();
        store.offer(signed(3, profile("tight", "linux/amd64"), SECURITY), Set.of("gw-1"), NOW, TRUST);
        byte[] stored = Files.readAllBytes(dir.resolve("policy.json"));
        record Case(byte[] policy, ErrorCode code) {}
        for (Case c : List.of(new Case(signed(2, profile("old", "linux/amd64"), SECURITY), ErrorCode.REPLAYED),
                new Case(signed(3, profile("other", "linux/amd64"), SECURITY), ErrorCode.REPLAYED),
                new Case(signed(4, profile("op", "linux/amd64"), OPERATOR), ErrorCode.UNKNOWN_KEY),
                new Case(signed(4, profile("arm", "linux/arm64"), SECURITY), ErrorCode.BAD_REQUEST),
                new Case(signed(4, Map.of("name", "broken"), SECURITY), ErrorCode.BAD_REQUEST))) {
            TrustFailure e = assertThrows(TrustFailure.class, () -> store.offer(c.policy(), Set.of("gw-1"), NOW, TRUST));
            assertEquals(c.code(), e.code(), e.getMessage());
            assertEquals("tight", store.profile().name());
            assertEquals(new String(stored), new String(Files.readAllBytes(dir.resolve("policy.json"))));
        }
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().contains(".tmp")));
    }
}
