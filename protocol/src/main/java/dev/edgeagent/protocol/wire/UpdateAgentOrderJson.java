package dev.edgeagent.protocol.wire;

import dev.edgeagent.protocol.AgentVersion;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.UpdateAgentOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code update-agent} order to and from JSON: {@code {id, artifact: "REPO@sha256:…", version: "0.2.0"}}. */
public final class UpdateAgentOrderJson {
    static final List<String> FIELDS = List.of("id", "artifact", "version");

    private UpdateAgentOrderJson() {}

    public static byte[] encode(UpdateAgentOrder order) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", order.id().value());
        out.put("artifact", order.artifact().toString());
        out.put("version", order.version().toString());
        return Json.compact(out);
    }

    /** Decodes an order already parsed (and size-checked). Wire input never throws through. */
    public static Decoded<UpdateAgentOrder> decode(Map<String, Object> map) {
        Optional<OperationId> id = Optional.empty();
        try {
            Fields f = new Fields(map, "");
            id = Optional.of(new OperationId(f.requireString("id")));
            f.refuseUnknown(FIELDS);
            return new Decoded.Ok<>(new UpdateAgentOrder(id.get(), ImageRef.parse(f.requireString("artifact")),
                    AgentVersion.parse(f.requireString("version"))), id);
        } catch (Fields.WireException | IllegalArgumentException e) {
            return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, e.getMessage(), id);
        }
    }
}
