package dev.edgeagent.agent.control;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Work that arrives while the agent still sets itself up: the broker connection is made beside the set-up (see
 * {@link ConnectAhead}), and a persistent session delivers queued orders at CONNACK, before the agent can carry them
 * out. They wait here, in arrival order, and go to their executors, still in that order, when the gate opens; from
 * then on work passes straight through. Holds tasks only: what an order may hold on the heap is bounded where it is
 * admitted ({@link OrderBacklog}), not here.
 */
public final class StartGate {
    private record Held(ExecutorService to, Runnable task) {}

    private List<Held> held = new ArrayList<>();

    /** Hands {@code task} to {@code to} now if the gate is open, else once it opens. */
    public synchronized void submit(ExecutorService to, Runnable task) {
        if (held == null) {
            to.submit(task);
        } else {
            held.add(new Held(to, task));
        }
    }

    /**
     * Hands over what waited, in arrival order, and returns how many; later work passes straight through. Opening
     * twice hands nothing over twice.
     */
    public synchronized int open() {
        if (held == null) {
            return 0;
        }
        List<Held> waiting = held;
        held = null;
        for (Held h : waiting) {
            h.to().submit(h.task());
        }
        return waiting.size();
    }
}
