package dev.edgeagent.protocol.wire;

import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The first two checks every order gets, whatever its command: its size, and being a JSON object. An order is
 * parsed here once; the decoders take the fields, never the bytes again.
 */
public final class OrderPayload {
    private OrderPayload() {}

    public static Decoded<Map<String, Object>> read(byte[] payload, int maxBytes) {
        if (payload.length > maxBytes) {
            return new Decoded.Rejected<>(ErrorCode.PAYLOAD_TOO_LARGE,
                    "order is " + payload.length + " bytes; the limit is " + maxBytes, Optional.empty());
        }
        try {
            return new Decoded.Ok<>(Json.object(payload), Optional.empty());
        } catch (IOException | RuntimeException e) {
            return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, "order is not a JSON object: " + firstLine(e.getMessage()),
                    Optional.empty());
        }
    }

    /** The order's {@code id} when it has a valid one: for refusing it by name. */
    public static Optional<OperationId> idOf(Map<String, Object> fields) {
        try {
            return new Fields(fields, "").optionalString("id").map(OperationId::new);
        } catch (Fields.WireException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
