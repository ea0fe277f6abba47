package dev.edgeagent.agent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** At start, only a desired state a crash interrupted is applied again; one that ended is left as it ended. */
class ReconcilerRestartTest {
    @TempDir
    Path dir;

    final Deque<CommandResult> results = new ArrayDeque<>();
    int deploys;

    Reconciler reconciler() throws Exception {
        return new Reconciler(new DesiredStore(dir), new StateStore(dir), "d1", Set.of("d1"), 1 << 20, order -> {
            deploys++;
            return results.removeFirst();
        }, app -> CommandResult.ok("removed", Map.of()));
    }

    @Test
    void aRolledBackReleaseIsNotAppliedAgainAtRestart() throws Exception {
        results.add(CommandResult.error(ErrorCode.ROLLED_BACK, "stopped within its grace period; generation 1 runs again"));
        reconciler().received(ReconcilerRetryTest.doc(2), (t, d) -> {});
        assertEquals(1, deploys);

        Reconciler after = reconciler();
        after.resume((t, d) -> {});
        assertEquals(1, deploys, "the bad release is not run through its grace period again");
        assertEquals(false, after.outcome().get("applied"), "status still says how it ended");
        assertTrue(String.valueOf(after.outcome().get("failures")).contains("ROLLED_BACK"), after.outcome().toString());
        assertFalse(after.retryIfDue(Instant.now().plusSeconds(3600), (t, d) -> {}));
        assertEquals(1, deploys);
    }

    @Test
    void anAppliedDocumentIsLeftAloneAtRestart() throws Exception {
        results.add(CommandResult.ok("runs", Map.of()));
        reconciler().received(ReconcilerRetryTest.doc(1), (t, d) -> {});
        reconciler().resume((t, d) -> {});
        assertEquals(1, deploys);
    }

    @Test
    void aRetryableFailureWaitsForItsBackoffAfterARestart() throws Exception {
        results.add(CommandResult.error(ErrorCode.REGISTRY_UNREACHABLE, "connection refused"));
        reconciler().received(ReconcilerRetryTest.doc(1), (t, d) -> {});
        Reconciler after = reconciler();
        Instant start = Instant.now();
        after.resume(start, (t, d) -> {});
        assertEquals(1, deploys, "not applied at once");
        assertTrue(after.outcome().containsKey("retryAt"), after.outcome().toString());
        results.add(CommandResult.ok("runs", Map.of()));
        assertTrue(after.retryIfDue(start.plusSeconds(31), (t, d) -> {}));
        assertEquals(2, deploys);
        assertEquals(true, after.outcome().get("applied"));
    }

    @Test
    void aDocumentACrashInterruptedIsFinished() throws Exception {
        // As an agent that died mid-way left it (also the format from before endings were kept).
        Files.writeString(dir.resolve("desired.json"), "{\"version\":1,\"target\":\"d1\",\"applied\":false,\"document\":"
                + new String(dev.edgeagent.protocol.wire.Json.compact(new String(ReconcilerRetryTest.doc(1), StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8) + "}");
        results.add(CommandResult.ok("runs", Map.of()));
        Reconciler r = reconciler();
        r.resume((t, d) -> {});
        assertEquals(1, deploys);
        assertEquals(true, r.outcome().get("applied"));
    }
}
