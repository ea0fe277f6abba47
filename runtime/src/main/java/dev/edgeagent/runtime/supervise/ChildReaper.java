package dev.edgeagent.runtime.supervise;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.tinylog.Logger;

/**
 * Makes the agent a child subreaper (prctl PR_SET_CHILD_SUBREAPER): when the runtime's create command exits, the
 * container's init process becomes the agent's child, so the agent can wait for it and learn its exit status,
 * as a shim would. The JDK can do neither, hence jnr.
 */
public final class ChildReaper {
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int ECHILD = 10;
    private static final int EINTR = 4;

    /** The libc call jnr-posix does not wrap. */
    public interface LibC {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private final POSIX posix;

    private ChildReaper(POSIX posix) {
        this.posix = posix;
    }

    /** Empty when the kernel refuses (the agent then polls the runtime and exit codes are unknown). */
    public static Optional<ChildReaper> install() {
        try {
            LibC libc = LibraryLoader.create(LibC.class).load("c");
            if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
                Logger.warn("prctl(PR_SET_CHILD_SUBREAPER) failed; container exit codes will be unknown");
                return Optional.empty();
            }
            return Optional.of(new ChildReaper(POSIXFactory.getNativePOSIX()));
        } catch (LinkageError | RuntimeException e) {
            Logger.warn("cannot become a child subreaper ({}); container exit codes will be unknown", e.toString());
            return Optional.empty();
        }
    }

    /**
     * Waits, on a thread of its own, for {@code pid} to end. Completes with the waitpid status word, or exceptionally
     * when the process is not the agent's child (a container adopted after an agent restart).
     */
    public CompletableFuture<Integer> watch(long pid, String name) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            int[] status = new int[1];
            while (true) {
                int r = posix.waitpid(pid, status, 0);
                if (r == pid) {
                    exit.complete(status[0]);
                    return;
                }
                int errno = posix.errno();
                if (errno != EINTR) {
                    exit.completeExceptionally(new IllegalStateException(errno == ECHILD
                            ? "process " + pid + " is not the agent's child" : "waitpid(" + pid + ") failed: errno " + errno));
                    return;
                }
            }
        }, "reap-" + name);
        t.setDaemon(true);
        t.start();
        return exit;
    }
}
