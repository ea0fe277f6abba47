package dev.edgeagent.protocol.wire;

import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.ErrorCode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** The first two checks every order gets, whatever its command: its size, and being a JSON object. */
final class OrderPayload {
    private OrderPayload() {}

    static Decoded<Map<String, Object>> read(byte[] payload, int maxBytes) {
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

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
