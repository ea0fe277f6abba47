package dev.edgeagent.agent.control;

import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.OrderPayload;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.TrustFailure;
import java.util.Map;
import java.util.Optional;

/** What an order must pass before it is read: a signature check over MQTT, nothing on the root-only local socket. */
@FunctionalInterface
public interface OrderGate {
    /**
     * The order inside, as bytes (a desired state is stored as it came) and as the fields it was parsed into, once,
     * on its way through the gate; and the signed statement it came in when there was one.
     */
    record Opened(byte[] order, Map<String, Object> fields, Optional<SignedOrder.Verified> signed) {}

    /** Takes orders as they are: the local socket (root only) and lab agents with {@code allowUnsigned}. */
    OrderGate UNSIGNED = (command, payload, maxBytes) -> {
        Decoded<Map<String, Object>> read = OrderPayload.read(payload, maxBytes);
        if (read instanceof Decoded.Rejected<Map<String, Object>> r) {
            throw new TrustFailure(r.code(), r.message());
        }
        return new Opened(payload, ((Decoded.Ok<Map<String, Object>>) read).value(), Optional.empty());
    };

    Opened open(String command, byte[] payload, int maxBytes) throws TrustFailure;

    static void checkSize(byte[] payload, int maxBytes) throws TrustFailure {
        if (payload.length > maxBytes) {
            throw new TrustFailure(ErrorCode.PAYLOAD_TOO_LARGE, "order is " + payload.length + " bytes; the limit is " + maxBytes);
        }
    }
}
