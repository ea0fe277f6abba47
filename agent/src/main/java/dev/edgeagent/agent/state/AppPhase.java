package dev.edgeagent.agent.state;

/** Where an app stands, as the operator sees it in status. */
public enum AppPhase {
    /** Its container runs. */
    RUNNING,
    /** Its container stopped and the restart policy will start it again after a backoff. */
    RESTARTING,
    /** Its container stopped and stays stopped (policy no, or on-failure after a clean exit). */
    EXITED,
    /** Its container could not be started again. */
    FAILED,
    /** An operator stopped it; it stays stopped until started. */
    STOPPED;

    public boolean isRunning() {
        return this == RUNNING;
    }
}
