package dev.edgeagent.security.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inclusion-proof walk against RFC 6962's recursive definitions (MTH and PATH, section 2.1), written here the
 * way the RFC states them, for every leaf of trees of 1 to 13 leaves; a wrong sibling or length is refused.
 */
class RekorProofTest {
    @Test
    void everyAuditPathOfSmallTreesLeadsToTheTreeHead() throws Exception {
        for (int n = 1; n <= 13; n++) {
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leaves.add(("leaf " + i).getBytes(StandardCharsets.UTF_8));
            }
            byte[] root = mth(leaves);
            for (int m = 0; m < n; m++) {
                byte[] leafHash = RekorProof.sha256(new byte[] {0}, leaves.get(m));
                assertArrayEquals(root, RekorProof.rootFromProof(m, n, leafHash, path(m, leaves)), "tree " + n + " leaf " + m);
            }
        }
    }

    @Test
    void aProofOfTheWrongLengthIsRefused() {
        List<byte[]> leaves = List.of("a".getBytes(), "b".getBytes(), "c".getBytes());
        byte[] leafHash = RekorProof.sha256(new byte[] {0}, leaves.get(0));
        List<byte[]> p = new ArrayList<>(path(0, leaves));
        p.add(new byte[32]);
        assertThrows(RekorProof.ProofFailure.class, () -> RekorProof.rootFromProof(0, 3, leafHash, p));
        assertThrows(RekorProof.ProofFailure.class, () -> RekorProof.rootFromProof(0, 3, leafHash, p.subList(0, 1)));
        assertThrows(RekorProof.ProofFailure.class, () -> RekorProof.rootFromProof(3, 3, leafHash, List.of()));
    }

    /** MTH(D[n]) of RFC 6962 section 2.1. */
    private static byte[] mth(List<byte[]> d) {
        if (d.size() == 1) {
            return RekorProof.sha256(new byte[] {0}, d.get(0));
        }
        int k = split(d.size());
        return RekorProof.sha256(new byte[] {1}, mth(d.subList(0, k)), mth(d.subList(k, d.size())));
    }

    /** PATH(m, D[n]) of RFC 6962 section 2.1.1. */
    private static List<byte[]> path(int m, List<byte[]> d) {
        List<byte[]> out = new ArrayList<>();
        if (d.size() == 1) {
            return out;
        }
        int k = split(d.size());
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(path(m - k, d.subList(k, d.size())));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    /** The largest power of two smaller than n. */
    private static int split(int n) {
        int k = 1;
        while (k << 1 < n) {
            k <<= 1;
        }
        return k;
    }
}
