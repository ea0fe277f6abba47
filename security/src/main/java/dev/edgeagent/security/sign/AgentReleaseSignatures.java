package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an agent release (an OCI artifact, docs/self-update.md) carries the cosign signatures of the trust
 * document's {@code agent} role: the same layout and payload checks as images, against that role instead of an
 * image rule, so an operator's or image builder's key can never vouch for the agent's own code.
 */
public final class AgentReleaseSignatures {
    private AgentReleaseSignatures() {}

    /** The agent-role keys that signed {@code manifest} of {@code repository}; refused as {@code UPDATE_NOT_TRUSTED}. */
    public static Set<KeyId> verify(TrustDocument doc, List<CosignSignatures.Signed> signatures, Digest manifest, String repository)
            throws TrustFailure {
        Role role = doc.agent().orElseThrow(() -> new TrustFailure(ErrorCode.UPDATE_NOT_TRUSTED, "trust document v" + doc.version()
                + " has no agent role, so no agent release is trusted; rotate to one that names the agent release keys"));
        try {
            return CosignSignatures.verify(signatures, manifest, repository, new ImageRule("*", Optional.of(role)), doc.keys());
        } catch (TrustFailure e) {
            throw new TrustFailure(ErrorCode.UPDATE_NOT_TRUSTED, "agent release " + e.getMessage().replace("keys trusted for *",
                    "the agent role's keys"));
        }
    }
}
