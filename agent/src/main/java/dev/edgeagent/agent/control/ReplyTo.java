package dev.edgeagent.agent.control;

import java.util.Optional;

/**
 * Where the answer to one order goes: the MQTT 5 response topic and correlation data, when the sender gave them.
 * {@code refused} says why a response topic the sender named was not taken (see {@link ResponseTopics}); such an
 * order is answered with that refusal on the device's default reply topic and not carried out.
 */
public record ReplyTo(Optional<String> responseTopic, Optional<byte[]> correlationData, Optional<String> refused) {
    public static final ReplyTo DEFAULT = new ReplyTo(Optional.empty(), Optional.empty());

    public ReplyTo {
        if (responseTopic.isPresent() && refused.isPresent()) {
            throw new IllegalArgumentException("a refused response topic is not used");
        }
    }

    public ReplyTo(Optional<String> responseTopic, Optional<byte[]> correlationData) {
        this(responseTopic, correlationData, Optional.empty());
    }
}
