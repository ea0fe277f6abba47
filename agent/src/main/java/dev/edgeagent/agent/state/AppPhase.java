package dev.edgeagent.agent.state;

/** Where an app stands, as the operator sees it in status. */
public enum AppPhase {
    RUNNING, EXITED, FAILED, MISSING;

    public boolean isRunning() {
        return this == RUNNING;
    }
}
