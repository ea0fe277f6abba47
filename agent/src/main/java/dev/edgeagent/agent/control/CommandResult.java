package dev.edgeagent.agent.control;

import dev.edgeagent.protocol.ErrorCode;
import java.util.Map;

/** How an order ended: ok with a result, or an error code and a sentence. */
public record CommandResult(boolean ok, ErrorCode code, String message, Map<String, Object> result) {
    public static CommandResult ok(String message, Map<String, Object> result) {
        return new CommandResult(true, null, message, result);
    }

    public static CommandResult error(ErrorCode code, String message) {
        return new CommandResult(false, code, message, Map.of());
    }
}
