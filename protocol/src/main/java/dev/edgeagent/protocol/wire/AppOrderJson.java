package dev.edgeagent.protocol.wire;

import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.AppOrder;
import dev.edgeagent.protocol.Commands;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Orders for the commands other than deploy, to and from JSON. Wire input never throws through. */
public final class AppOrderJson {
    private AppOrderJson() {}

    public static byte[] encode(AppOrder order) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", order.id().value());
        order.app().ifPresent(a -> out.put("app", a.value()));
        order.tail().ifPresent(t -> out.put("tail", t));
        if (order.purge()) {
            out.put("purge", true);
        }
        return Json.compact(out);
    }

    public static Decoded<AppOrder> decode(String command, byte[] payload, int maxBytes) {
        Decoded<Map<String, Object>> read = OrderPayload.read(payload, maxBytes);
        if (read instanceof Decoded.Rejected<Map<String, Object>> r) {
            return new Decoded.Rejected<>(r.code(), r.message(), r.id());
        }
        return decode(command, ((Decoded.Ok<Map<String, Object>>) read).value());
    }

    /** Decodes an order already parsed (and size-checked) by {@link OrderPayload#read} or inside a signed statement. */
    public static Decoded<AppOrder> decode(String command, Map<String, Object> map) {
        List<String> fields = Commands.FIELDS.get(command);
        if (fields == null) {
            return new Decoded.Rejected<>(ErrorCode.UNKNOWN_COMMAND, "unknown command '" + command + "'", Optional.empty());
        }
        Optional<OperationId> id = Optional.empty();
        try {
            Fields f = new Fields(map, "");
            id = Optional.of(new OperationId(f.requireString("id")));
            f.refuseUnknown(fields);
            Optional<AppName> app = Optional.empty();
            if (fields.contains("app")) {
                app = Optional.of(new AppName(f.requireString("app")));
            }
            OptionalInt tail = f.optionalLong("tail").isPresent() ? OptionalInt.of((int) Math.max(Integer.MIN_VALUE,
                    Math.min(Integer.MAX_VALUE, f.optionalLong("tail").getAsLong()))) : OptionalInt.empty();
            return new Decoded.Ok<>(new AppOrder(id.get(), app, tail, f.optionalBoolean("purge")), id);
        } catch (Fields.WireException | IllegalArgumentException e) {
            return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, e.getMessage(), id);
        }
    }
}
