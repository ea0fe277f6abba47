package dev.edgeagent.runtime.supervise;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.tinylog.Logger;

/**
 * Makes the agent a child subreaper (prctl PR_SET_CHILD_SUBREAPER): when the runtime's create command exits, the
 * container's init process becomes the agent's child, so the agent can wait for it and learn its exit status,
 * as a shim would. The JDK can do neither, hence libc through jnr-ffi ({@link Libc}).
 */
public final class ChildReaper {
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int ECHILD = 10;
    private static final int EINTR = 4;
    private static final int WNOHANG = 1;
    /** How late an exit may be seen: the restart policy's delays are seconds, so this is well below them. */
    static final long POLL_MILLIS = 200;
    /**
     * Right after a start the poll is faster: a process that fails at once (or a short job) is seen within this,
     * and for so long after the last {@link #watch} that a quick failure is not left waiting on the slow poll.
     */
    static final long EARLY_POLL_MILLIS = 10;
    static final long EARLY_NANOS = 2_000_000_000L;

    private final Libc.Calls libc;
    private final Map<Long, CompletableFuture<Integer>> watched = new ConcurrentHashMap<>();
    private volatile long lastWatchNanos = System.nanoTime() - EARLY_NANOS;
    private Thread loop;

    private ChildReaper(Libc.Calls libc) {
        this.libc = libc;
    }

    /** Empty when the kernel refuses (the agent then polls the runtime and exit codes are unknown). */
    public static Optional<ChildReaper> install() {
        Optional<Libc.Calls> libc = Libc.calls();
        if (libc.isEmpty()) {
            return Optional.empty(); // said by Libc
        }
        try {
            if (libc.get().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
                Logger.warn("prctl(PR_SET_CHILD_SUBREAPER) failed (errno {}); container exit codes will be unknown",
                        Libc.errno(libc.get()));
                return Optional.empty();
            }
        } catch (LinkageError | RuntimeException e) {
            Logger.warn("cannot become a child subreaper ({}); container exit codes will be unknown", e.toString());
            return Optional.empty();
        }
        return Optional.of(new ChildReaper(libc.get()));
    }

    /**
     * Completes with {@code pid}'s waitpid status word once it ends, or exceptionally when the process is not the
     * agent's child (a container adopted after an agent restart). One thread polls every watched process with
     * WNOHANG, so a device with many apps has no thread per container; it runs only while something is watched.
     */
    public CompletableFuture<Integer> watch(long pid, String name) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        lastWatchNanos = System.nanoTime();
        if (!ended(pid, exit)) {
            synchronized (this) {
                watched.put(pid, exit);
                if (loop == null) {
                    loop = new Thread(this::pollUntilNoneLeft, "reaper");
                    loop.setDaemon(true);
                    loop.start();
                }
            }
        }
        return exit;
    }

    private void pollUntilNoneLeft() {
        while (true) {
            synchronized (this) {
                if (watched.isEmpty()) {
                    loop = null;
                    return;
                }
            }
            watched.forEach((pid, exit) -> {
                if (ended(pid, exit)) {
                    watched.remove(pid);
                }
            });
            try {
                Thread.sleep(System.nanoTime() - lastWatchNanos < EARLY_NANOS ? EARLY_POLL_MILLIS : POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                synchronized (this) {
                    loop = null;
                }
                return;
            }
        }
    }

    /** Reaps {@code pid} if it has ended, completing {@code exit}; false while it runs. */
    private boolean ended(long pid, CompletableFuture<Integer> exit) {
        int[] status = new int[1];
        int r = libc.waitpid(Math.toIntExact(pid), status, WNOHANG);
        if (r == pid) {
            exit.complete(status[0]);
            return true;
        }
        if (r == 0) {
            return false;
        }
        int errno = Libc.errno(libc);
        if (errno == EINTR) {
            return false;
        }
        exit.completeExceptionally(new IllegalStateException(errno == ECHILD
                ? "process " + pid + " is not the agent's child" : "waitpid(" + pid + ") failed: errno " + errno));
        return true;
    }
}
