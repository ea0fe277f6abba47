package dev.edgeagent.agent.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.security.sign.KeyId;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {
    final KeyId a = SigningKey.generate(KeyKind.ED25519).id();
    final KeyId b = SigningKey.generate(KeyKind.ED25519).id();
    @TempDir
    Path dir;

    @Test
    void aSequenceCountsUnderEverySignerSoStrippingASignatureGainsNothing() throws Exception {
        SequenceStore store = new SequenceStore(dir);
        store.admit(Set.of(a, b), 10, new OperationId("both-10"));
        // the same statement with one of its two signatures stripped, either one, is still sequence 10
        for (KeyId only : Set.of(a, b)) {
            TrustFailure e = assertThrows(TrustFailure.class, () -> store.admit(Set.of(only), 10, new OperationId("stripped")));
            assertEquals(ErrorCode.REPLAYED, e.code());
        }
        // every signer's mark must be exceeded: b moved on alone, so a cosigned 11 is stale for b
        store.admit(Set.of(b), 20, new OperationId("b-20"));
        assertEquals(ErrorCode.REPLAYED, assertThrows(TrustFailure.class, () -> store.admit(Set.of(a, b), 11, new OperationId("both-11"))).code());
        assertEquals(10, store.mark(a), "a refused order moves no mark");
        store.admit(Set.of(a, b), 21, new OperationId("both-21"));
        SequenceStore reopened = new SequenceStore(dir);
        assertEquals(21, reopened.mark(a));
        assertEquals(21, reopened.mark(b));
    }

    @Test
    void anOrderTheOrderLogForgotIsNotAdmittedAgain() throws Exception {
        SequenceStore store = new SequenceStore(dir);
        store.admit(Set.of(a), 5, new OperationId("op-5"));
        store.finished(new OperationId("op-5"));
        // the order log (512 entries) no longer remembers op-5; the same order arriving again must not run
        TrustFailure e = assertThrows(TrustFailure.class, () -> store.admit(Set.of(a), 5, new OperationId("op-5")));
        assertEquals(ErrorCode.REPLAYED, e.code());
        assertTrue(e.getMessage().contains("already used 5"), e.getMessage());
        assertThrows(TrustFailure.class, () -> new SequenceStore(dir).admit(Set.of(a), 5, new OperationId("op-5")));
    }

    @Test
    void anOrderACrashInterruptedIsAdmittedAgainUntilItFinishes() throws Exception {
        SequenceStore store = new SequenceStore(dir);
        store.admit(Set.of(a, b), 7, new OperationId("op-7"));
        // the agent died before answering: the broker delivers op-7 again to a fresh agent, and it must run
        SequenceStore restarted = new SequenceStore(dir);
        restarted.admit(Set.of(a, b), 7, new OperationId("op-7"));
        // but not under another id
        assertEquals(ErrorCode.REPLAYED, assertThrows(TrustFailure.class,
                () -> restarted.admit(Set.of(a, b), 7, new OperationId("other-7"))).code());
        restarted.finished(new OperationId("op-7"));
        assertEquals(ErrorCode.REPLAYED, assertThrows(TrustFailure.class,
                () -> new SequenceStore(dir).admit(Set.of(a, b), 7, new OperationId("op-7"))).code());
    }
}
