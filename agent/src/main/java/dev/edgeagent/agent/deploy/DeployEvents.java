package dev.edgeagent.agent.deploy;

import java.util.Map;

/** Progress of one deploy, as the operator sees it on the events topic. */
@FunctionalInterface
public interface DeployEvents {
    void emit(String type, Map<String, Object> details);
}
