package dev.edgeagent.agent.audit;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Where the agent records who ordered what and how it ended ({@link AuditLog}). */
public interface AuditSink {
    /** Records nothing: for tests and tools that run parts of the agent without its trail. */
    AuditSink NONE = (command, id, signers, outcome, via, extra) -> { };

    void record(String command, Optional<String> id, Collection<String> signers, String outcome, String via, Map<String, Object> extra);
}
