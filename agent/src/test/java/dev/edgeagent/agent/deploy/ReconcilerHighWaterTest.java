package dev.edgeagent.agent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.agent.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An older desired state is refused even when it names another target than the accepted one: per target by
 * version, across targets by signing time. Each replay path of issue 11 (item 2) has its case here.
 */
class ReconcilerHighWaterTest {
    @TempDir
    Path dir;

    final List<String> deployed = new ArrayList<>();
    final List<Map<String, Object>> refusals = new ArrayList<>();
    final Instant t0 = Instant.parse("2026-09-01T00:00:00Z");

    Reconciler reconciler() throws Exception {
        return new Reconciler(new DesiredStore(dir), new StateStore(dir), "d1", Set.of("d1", "group:north", "group:south"), 1 << 20,
                order -> {
                    deployed.add(order.id().value());
                    return CommandResult.ok("runs", Map.of());
                }, app -> CommandResult.ok("removed", Map.of()));
    }

    static byte[] doc(int version, String target) {
        return ("{\"version\":" + version + ",\"target\":\"" + target + "\",\"apps\":[{\"app\":\"a\",\"image\":\"127.0.0.1:5000/a@sha256:"
                + "c".repeat(64) + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    void send(Reconciler r, int version, String target, int day) {
        r.received(doc(version, target), Optional.of(t0.plusSeconds(86400L * day)), (type, details) -> {
            if (type.equals("desired.refused")) {
                refusals.add(details);
            }
        });
    }

    @Test
    void anOldDocumentForTheDeviceItselfCannotReplaceANewerGroupRelease() throws Exception {
        Reconciler r = reconciler();
        send(r, 7, "group:north", 30);
        assertEquals(List.of("desired-v7-a"), deployed);

        send(r, 1, "d1", 2); // issued for this device a month ago, still within its validity
        assertEquals(List.of("desired-v7-a"), deployed, "the old images are not deployed");
        assertEquals("ROLLBACK_REFUSED", refusals.get(0).get("code"));
        assertTrue(String.valueOf(refusals.get(0).get("message")).contains("before the newest document"), refusals.toString());

        send(r, 8, "group:north", 31);
        assertEquals(List.of("desired-v7-a", "desired-v8-a"), deployed, "later group releases still apply");
        assertEquals(8L, r.outcome().get("version"));
    }

    @Test
    void anOldDocumentOfAnotherGroupIsRefusedBySigningTime() throws Exception {
        Reconciler r = reconciler();
        send(r, 5, "group:north", 20);
        send(r, 3, "group:south", 2); // never seen before, but signed before the accepted document
        assertEquals(List.of("desired-v5-a"), deployed);
        assertEquals(1, refusals.size(), refusals.toString());
    }

    @Test
    void aTargetOnceLeftKeepsItsVersionMark() throws Exception {
        Reconciler r = reconciler();
        send(r, 5, "group:north", 10);
        send(r, 3, "group:south", 11);
        send(r, 4, "group:north", 12); // a newer signing time, but an older version of north than the one accepted
        assertEquals(List.of("desired-v5-a", "desired-v3-a"), deployed);
        assertEquals("ROLLBACK_REFUSED", refusals.get(0).get("code"));

        send(r, 5, "group:north", 10); // north's retained copy again at a reconnect: ignored quietly
        assertEquals(1, refusals.size(), refusals.toString());
        assertEquals(List.of("desired-v5-a", "desired-v3-a"), deployed);
    }

    @Test
    void unsignedDocumentsAreHeldToTheVersionMarkPerTargetToo() throws Exception {
        Reconciler r = reconciler();
        r.received(doc(5, "group:north"), (t, d) -> {});
        r.received(doc(3, "group:south"), (t, d) -> {});
        r.received(doc(4, "group:north"), (t, d) -> {});
        assertEquals(List.of("desired-v5-a", "desired-v3-a"), deployed);
    }

    @Test
    void theMarksSurviveARestart() throws Exception {
        send(reconciler(), 7, "group:north", 30);
        Reconciler after = reconciler();
        after.resume((t, d) -> {});
        send(after, 1, "d1", 2);
        send(after, 6, "group:north", 29);
        assertEquals(List.of("desired-v7-a"), deployed);
        assertEquals(2, refusals.size(), refusals.toString());
    }
}
