package dev.edgeagent.agent.control;

import dev.edgeagent.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Which MQTT 5 response topics the agent publishes replies to: its default reply topic {@code edge/{device}/reply}
 * or a topic under it, {@code edge/{device}/reply/{requester}}. Anything else would let a sender have the device
 * publish, with the device's own broker rights, on a topic the sender may not write (a confused deputy).
 */
public final class ResponseTopics {
    /** Longer names are refused: a reply topic is a short requester name, not a payload. */
    public static final int MAX_BYTES = 256;

    private ResponseTopics() {}

    /** Why {@code topic} may not carry replies of {@code topics}' device; empty when it may. */
    public static Optional<String> problem(Topics topics, String topic) {
        String prefix = topics.reply() + "/";
        if (topic.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("response topic is longer than " + MAX_BYTES + " bytes");
        }
        if (topic.contains("+") || topic.contains("#") || topic.indexOf('\0') >= 0) {
            return Optional.of("response topic '" + topic + "' contains a wildcard or NUL; a reply needs one plain topic");
        }
        if (!topic.equals(topics.reply()) && !(topic.startsWith(prefix) && topic.length() > prefix.length())) {
            return Optional.of("response topic '" + topic + "' is outside this device's reply namespace; use "
                    + topics.reply() + " or " + prefix + "{requester}");
        }
        return Optional.empty();
    }

    /** The reply destination for an order that named {@code responseTopic} (null or empty: none). */
    public static ReplyTo replyTo(Topics topics, String responseTopic, byte[] correlationData) {
        Optional<byte[]> correlation = Optional.ofNullable(correlationData);
        if (responseTopic == null || responseTopic.isEmpty()) {
            return new ReplyTo(Optional.empty(), correlation);
        }
        Optional<String> problem = problem(topics, responseTopic);
        return problem.isPresent() ? new ReplyTo(Optional.empty(), correlation, problem) : new ReplyTo(Optional.of(responseTopic), correlation);
    }
}
