package dev.edgeagent.agent.state;

/** How applying an accepted desired state ended, kept on disk so a restart knows whether to touch it again. */
public enum DesiredEnding {
    /** Accepted and being applied; a crash interrupted it when found at start. */
    IN_PROGRESS,
    /** Every app runs as listed. */
    APPLIED,
    /** Failed only for reasons that pass by themselves (registry away, disk full): tried again with backoff. */
    RETRYABLE,
    /** A release died within its health grace period and the previous generation runs again: not tried again. */
    ROLLED_BACK,
    /** Failed for good (a bad image, a refused order): not tried again. */
    FAILED;

    /** Whether an agent starting finds this document unfinished and applies it again at once. */
    public boolean resumeAtStart() {
        return this == IN_PROGRESS;
    }

    /** Whether the agent tries it again by itself, on its backoff. */
    public boolean retried() {
        return this == RETRYABLE;
    }
}
