package dev.edgeagent.agent.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.UpdateAgentOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A desired state's {@code agent}: installed after the apps, like an update-agent order, and the restart comes last. */
class ReconcilerAgentTest {
    static final String ARTIFACT = "127.0.0.1:5000/edgeagent/agent@sha256:" + "d".repeat(64);

    @TempDir
    Path dir;

    final List<String> calls = new ArrayList<>();

    Reconciler reconciler(CommandResult update) throws Exception {
        Reconciler r = new Reconciler(new DesiredStore(dir), new StateStore(dir), "d1", Set.of("d1"), 1 << 20, order -> {
            calls.add("deploy " + order.app());
            return CommandResult.ok("runs", Map.of());
        }, app -> CommandResult.ok("removed", Map.of()));
        r.updateAgentWith((UpdateAgentOrder o) -> {
            calls.add("update " + o.version() + " " + o.artifact() + " " + o.id());
            return update;
        }, () -> calls.add("restart"));
        return r;
    }

    static byte[] doc(int version, String agentVersion) {
        return ("{\"version\":" + version + ",\"target\":\"d1\",\"apps\":[{\"app\":\"a\",\"image\":\"127.0.0.1:5000/a@sha256:"
                + "c".repeat(64) + "\"}],\"agent\":{\"artifact\":\"" + ARTIFACT + "\",\"version\":\"" + agentVersion + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theAgentReleaseIsInstalledAfterTheAppsAndTheRestartComesOnceTheEndingIsOnRecord() throws Exception {
        Reconciler r = reconciler(CommandResult.ok("installed", Map.of("installing", "0.2.0")));
        r.received(doc(1, "0.2.0"), (t, d) -> {});
        assertEquals(List.of("deploy a", "update 0.2.0 " + ARTIFACT + " desired-v1-agent", "restart"), calls);
        assertEquals(true, r.outcome().get("applied"), r.outcome().toString());

        calls.clear();
        reconciler(CommandResult.ok("installed", Map.of("installing", "0.2.0"))).resume((t, d) -> {});
        assertEquals(List.of(), calls, "the release that started next does not apply the document again");
    }

    @Test
    void theRunningVersionChangesNothingAndARefusedReleaseIsAFailureOfTheDocument() throws Exception {
        reconciler(CommandResult.ok("agent 0.2.0 is running already", Map.of("running", "0.2.0"))).received(doc(1, "0.2.0"), (t, d) -> {});
        assertEquals(List.of("deploy a", "update 0.2.0 " + ARTIFACT + " desired-v1-agent"), calls, "no restart");

        calls.clear();
        Reconciler r = reconciler(CommandResult.error(ErrorCode.UPDATE_NOT_TRUSTED, "agent release is not signed"));
        r.received(doc(2, "0.3.0"), (t, d) -> {});
        assertEquals(false, r.outcome().get("applied"));
        assertTrue(String.valueOf(r.outcome().get("failures")).contains("UPDATE_NOT_TRUSTED"), r.outcome().toString());
        assertTrue(!calls.contains("restart"));
    }

    @Test
    void anAgentReleaseNotPinnedByDigestRefusesTheWholeDocument() throws Exception {
        List<String> events = new ArrayList<>();
        byte[] tagged = new String(doc(1, "0.2.0"), StandardCharsets.UTF_8).replace(ARTIFACT, "127.0.0.1:5000/edgeagent/agent:0.2.0")
                .getBytes(StandardCharsets.UTF_8);
        reconciler(CommandResult.ok("installed", Map.of())).received(tagged, (t, d) -> events.add(t + " " + d.get("code")));
        assertEquals(List.of("desired.refused BAD_REQUEST"), events);
        assertEquals(List.of(), calls, "nothing applied");
    }
}
