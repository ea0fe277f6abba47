package dev.edgeagent.runtime;

import java.nio.file.Path;
import java.util.Optional;

/** An OCI runtime (runc, crun) driven through its command line. */
public interface ContainerRuntime {
    /** Name and version, as published in the device's status. */
    String describe();

    /**
     * Creates the container from a bundle; its stdout and stderr go to {@code output}, the app's log pipe (a fifo,
     * made when missing; anything else there is refused), which the agent drains. Returns the pid of its main
     * process, known before it starts, so a process that ends at once is still waited for.
     */
    long create(ContainerId id, Path bundle, Path output) throws RuntimeFailure;

    void start(ContainerId id) throws RuntimeFailure;

    /** Empty when the runtime does not know the container. */
    Optional<ContainerState> state(ContainerId id) throws RuntimeFailure;

    void kill(ContainerId id, String signal) throws RuntimeFailure;

    /** Runs {@code args} inside the running container (its namespaces, user and filters); its exit code. */
    int exec(ContainerId id, java.util.List<String> args, java.time.Duration timeout) throws RuntimeFailure;

    /** Every container this runtime holds under the agent's state root. */
    java.util.List<ContainerId> list() throws RuntimeFailure;

    /** Removes the container, killing it first when {@code force}; a container the runtime does not know is fine. */
    void delete(ContainerId id, boolean force) throws RuntimeFailure;
}
