package dev.edgeagent.agent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A desired state that failed for a passing reason is applied again by itself, with backoff; one that failed for good is not. */
class ReconcilerRetryTest {
    @TempDir
    Path dir;

    final Deque<CommandResult> results = new ArrayDeque<>();
    final List<String> events = new ArrayList<>();
    int deploys;

    Reconciler reconciler() throws Exception {
        return new Reconciler(new DesiredStore(dir), new StateStore(dir), "d1", Set.of("d1"), 1 << 20, order -> {
            deploys++;
            return results.removeFirst();
        }, app -> CommandResult.ok("removed", Map.of()));
    }

    static byte[] doc(int version) {
        return ("{\"version\":" + version + ",\"target\":\"d1\",\"apps\":[{\"app\":\"a\",\"image\":\"127.0.0.1:5000/a@sha256:"
                + "c".repeat(64) + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRegistryThatWasAwayIsTriedAgainWithBackoffUntilItWorks() throws Exception {
        Reconciler r = reconciler();
        results.add(CommandResult.error(ErrorCode.REGISTRY_UNREACHABLE, "connection refused"));
        results.add(CommandResult.error(ErrorCode.REGISTRY_UNREACHABLE, "connection refused"));
        results.add(CommandResult.ok("runs", Map.of()));
        r.received(doc(1), (type, details) -> events.add(type));
        Instant start = Instant.now(); // after the first try: the retry is due at most 30 s from here, on a slow host too
        assertEquals(List.of("desired.accepted", "desired.failed"), events);
        assertTrue(r.outcome().containsKey("retryAt"), r.outcome().toString());

        assertFalse(r.retryIfDue(start.plusSeconds(5), (t, d) -> events.add(t)), "not before 30 s");
        assertTrue(r.retryIfDue(start.plusSeconds(31), (t, d) -> events.add(t)));
        assertEquals(2, deploys);
        assertFalse(r.retryIfDue(start.plusSeconds(31 + 59), (t, d) -> events.add(t)), "the second wait is 60 s");
        assertTrue(r.retryIfDue(start.plusSeconds(31 + 61), (t, d) -> events.add(t)));
        assertEquals(3, deploys);
        assertEquals("desired.applied", events.get(events.size() - 1));
        assertFalse(r.retryIfDue(start.plus(Duration.ofHours(1)), (t, d) -> events.add(t)), "nothing left to retry");
        assertEquals(3, deploys);
    }

    @Test
    void aReleaseThatRolledBackIsNotTriedAgain() throws Exception {
        Reconciler r = reconciler();
        results.add(CommandResult.error(ErrorCode.ROLLED_BACK, "stopped within its grace period"));
        r.received(doc(1), (type, details) -> events.add(type));
        assertFalse(r.outcome().containsKey("retryAt"));
        assertFalse(r.retryIfDue(Instant.now().plus(Duration.ofHours(1)), (t, d) -> events.add(t)));
        assertEquals(1, deploys);
    }
}
