package dev.edgeagent.runtime;

/** What the runtime reports about a container. */
public record ContainerState(ContainerId id, Status status, long pid) {
    public enum Status {
        CREATING, CREATED, RUNNING, PAUSED, STOPPED;

        public boolean isRunning() {
            return this == RUNNING;
        }
    }
}
