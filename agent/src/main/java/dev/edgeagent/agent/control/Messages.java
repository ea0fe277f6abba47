package dev.edgeagent.agent.control;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.Json;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The JSON shapes of replies and events (docs/protocol.md). */
public final class Messages {
    private Messages() {}

    public static byte[] ok(OperationId id, String message, Map<String, Object> result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.value());
        m.put("ok", true);
        m.put("code", "OK");
        m.put("message", message);
        m.put("result", result);
        return Json.compact(m);
    }

    public static byte[] reply(OperationId id, CommandResult result) {
        return result.ok() ? ok(id, result.message(), result.result()) : error(Optional.of(id), result.code(), result.message());
    }

    public static byte[] error(Optional<OperationId> id, ErrorCode code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.map(OperationId::value).orElse(null));
        m.put("ok", false);
        m.put("code", code.name());
        m.put("category", code.category().name());
        m.put("message", message);
        return Json.compact(m);
    }

    public static byte[] event(Clock clock, String device, OperationId op, String app, String type,
            Map<String, Object> details) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", clock.instant().toString());
        m.put("device", device);
        m.put("op", op.value());
        m.put("app", app);
        m.put("type", type);
        // Sorted, so the same event always reads the same way in logs and terminals.
        m.putAll(new TreeMap<>(details));
        return Json.compact(m);
    }
}
