package dev.edgeagent.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.UpdateAgentOrderJson;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpdateAgentOrderTest {
    static final String ARTIFACT = "registry.example:5000/edgeagent/agent@" + Digest.sha256Of(new byte[] {1});

    @Test
    void versionsOrderByNumberNotByText() {
        assertTrue(AgentVersion.parse("0.10.0").isAfter(AgentVersion.parse("0.9.9")));
        assertTrue(AgentVersion.parse("1.0.0").isAfter(AgentVersion.parse("0.99.99")));
        assertEquals(0, AgentVersion.parse("0.2.0").compareTo(AgentVersion.parse("0.2.0")));
        for (String bad : new String[] {"0.2", "0.2.0-rc1", "v0.2.0", "01.2.0", "../0.2.0", ""}) {
            assertThrows(IllegalArgumentException.class, () -> AgentVersion.parse(bad), bad);
        }
    }

    @Test
    void anOrderRoundTripsAndIsRefusedWhenNotPinnedOrWithStrayFields() throws Exception {
        UpdateAgentOrder order = new UpdateAgentOrder(new OperationId("op-1"), ImageRef.parse(ARTIFACT), AgentVersion.parse("0.2.0"));
        Decoded<UpdateAgentOrder> back = UpdateAgentOrderJson.decode(dev.edgeagent.protocol.wire.Json.object(UpdateAgentOrderJson.encode(order)));
        assertEquals(order, ((Decoded.Ok<UpdateAgentOrder>) back).value());

        Decoded<UpdateAgentOrder> tag = UpdateAgentOrderJson.decode(Map.of("id", "op-2", "artifact", "registry.example:5000/agent:0.2.0",
                "version", "0.2.0"));
        Decoded.Rejected<UpdateAgentOrder> r = (Decoded.Rejected<UpdateAgentOrder>) tag;
        assertEquals(ErrorCode.BAD_REQUEST, r.code());
        assertTrue(r.message().contains("pinned by digest"), r.message());
        assertEquals(Optional.of(new OperationId("op-2")), r.id());

        Decoded<UpdateAgentOrder> stray = UpdateAgentOrderJson.decode(Map.of("id", "op-3", "artifact", ARTIFACT, "version", "0.2.0",
                "force", true));
        assertEquals(ErrorCode.BAD_REQUEST, ((Decoded.Rejected<UpdateAgentOrder>) stray).code());
    }
}
