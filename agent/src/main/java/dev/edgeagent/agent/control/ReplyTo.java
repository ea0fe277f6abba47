package dev.edgeagent.agent.control;

import java.util.Optional;

/** Where the answer to one order goes: the MQTT 5 response topic and correlation data, when the sender gave them. */
public record ReplyTo(Optional<String> responseTopic, Optional<byte[]> correlationData) {
    public static final ReplyTo DEFAULT = new ReplyTo(Optional.empty(), Optional.empty());
}
