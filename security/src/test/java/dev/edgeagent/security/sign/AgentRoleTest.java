package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentRoleTest {
    final SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey operator = SigningKey.generate(KeyKind.ECDSA_P256);
    final SigningKey release = SigningKey.generate(KeyKind.ED25519);
    static final String REPO = "localhost:5000/edgeagent/agent";
    static final Digest MANIFEST = Digest.sha256Of("release".getBytes());

    TrustDocument withAgentRole() {
        return TrustTest.doc(1, List.of(root), 1, List.of(operator), List.of(), release).withAgent(new Role(Set.of(release.id()), 1));
    }

    static CosignSignatures.Signed sign(SigningKey key, String repository, Digest manifest) {
        byte[] payload = CosignSignatures.payload(repository, manifest);
        return new CosignSignatures.Signed(payload, key.sign(payload));
    }

    @Test
    void theAgentRoleSurvivesTheDocumentsJsonAndIsSignedByTheRootLikeTheRest() throws Exception {
        TrustDocument d = withAgentRole();
        TrustDocument read = TrustDocument.selfSigned(TrustTest.signed(d, root));
        assertEquals(Optional.of(new Role(Set.of(release.id()), 1)), read.agent());
        assertEquals(Optional.empty(), TrustTest.doc(1, List.of(root), 1, List.of(operator), List.of()).agent());
    }

    @Test
    void theAgentRoleStandsBesideAPolicyRoleAndSigstoreMaterialThroughJsonAndEveryCopy() throws Exception {
        SigningKey security = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey rekor = SigningKey.generate(KeyKind.ECDSA_P256);
        Role agent = new Role(Set.of(release.id()), 1);
        Role policy = new Role(Set.of(security.id()), 1);
        SigstoreRoots sigstore = new SigstoreRoots(List.of(), List.of(rekor.publicKey()));
        TrustDocument d = TrustTest.doc(1, List.of(root), 1, List.of(operator), List.of(), release, security)
                .withAgent(agent).withPolicy(Optional.of(policy)).with(sigstore);
        TrustDocument read = TrustDocument.selfSigned(TrustTest.signed(d, root));
        assertEquals(Optional.of(agent), read.agent());
        assertEquals(Optional.of(policy), read.policy());
        assertEquals(List.of(rekor.publicKey().id()), read.sigstore().rekor().stream().map(VerificationKey::id).toList());

        TrustDocument copy = read.with(Optional.empty(), TrustDocument.RevokedImages.STOP);
        assertEquals(Optional.of(agent), copy.agent());
        assertEquals(Optional.of(policy), copy.policy());
        assertEquals(read.sigstore(), copy.sigstore());
        assertEquals(Optional.of(policy), read.withAgent(Optional.empty()).policy());
        assertEquals(Optional.empty(), read.withAgent(Optional.empty()).agent());
    }

    @Test
    void aReleaseSignedByTheAgentRoleIsTrusted() throws Exception {
        assertEquals(Set.of(release.id()),
                AgentReleaseSignatures.verify(withAgentRole(), List.of(sign(release, REPO, MANIFEST)), MANIFEST, REPO));
    }

    @Test
    void anOperatorsSignatureIsNotTheAgentRoles() {
        var e = assertThrows(TrustFailure.class,
                () -> AgentReleaseSignatures.verify(withAgentRole(), List.of(sign(operator, REPO, MANIFEST)), MANIFEST, REPO));
        assertEquals(ErrorCode.UPDATE_NOT_TRUSTED, e.code());
        assertTrue(e.getMessage().contains("agent role"), e.getMessage());
    }

    @Test
    void anUnsignedReleaseOrOneSignedForAnotherDigestIsRefused() {
        assertEquals(ErrorCode.UPDATE_NOT_TRUSTED, assertThrows(TrustFailure.class,
                () -> AgentReleaseSignatures.verify(withAgentRole(), List.of(), MANIFEST, REPO)).code());
        assertEquals(ErrorCode.UPDATE_NOT_TRUSTED, assertThrows(TrustFailure.class, () -> AgentReleaseSignatures.verify(withAgentRole(),
                List.of(sign(release, REPO, Digest.sha256Of("other".getBytes()))), MANIFEST, REPO)).code());
    }

    @Test
    void withoutAnAgentRoleNoReleaseIsTrusted() {
        TrustDocument none = TrustTest.doc(1, List.of(root), 1, List.of(operator), List.of(), release);
        var e = assertThrows(TrustFailure.class,
                () -> AgentReleaseSignatures.verify(none, List.of(sign(release, REPO, MANIFEST)), MANIFEST, REPO));
        assertEquals(ErrorCode.UPDATE_NOT_TRUSTED, e.code());
        assertTrue(e.getMessage().contains("no agent role"), e.getMessage());
    }
}
