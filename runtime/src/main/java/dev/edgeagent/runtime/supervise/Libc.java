package dev.edgeagent.runtime.supervise;

import java.util.Optional;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.pid_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.uintptr_t;
import org.tinylog.Logger;

/**
 * The libc calls the supervision makes that the JDK lacks, bound once through jnr-ffi. Only these: jnr-posix's
 * {@code POSIX} binds its whole libc interface and its helpers at first use, 380 classes and 4 MiB of the idle agent
 * for the five of its calls the agent made (issue 12, docs/benchmarks.md).
 */
public final class Libc {
    /**
     * Declared as libc declares them, widths through jnr's types so a 32-bit device binds them right (C's
     * {@code unsigned long}, of prctl's arguments and poll's {@code nfds_t}, is pointer-wide on every Linux ABI).
     * Public, as jnr's generated implementation (when its ASM back end is on) lives in a class loader of its own.
     */
    public interface Calls {
        int prctl(int option, @uintptr_t long arg2, @uintptr_t long arg3, @uintptr_t long arg4, @uintptr_t long arg5);

        int poll(Pointer fds, @uintptr_t long nfds, int timeout);

        @pid_t int waitpid(@pid_t int pid, @Out int[] status, int options);

        int open(CharSequence path, int flags, @mode_t int mode);

        @ssize_t long read(int fd, @Out byte[] buffer, @size_t long count);

        int close(int fd);

        int mkfifo(CharSequence path, @mode_t int mode);
    }

    private static final class Bound {
        static final Optional<Calls> CALLS = bind();
    }

    private Libc() {}

    /** The calls, or empty where jnr-ffi cannot bind libc (said once, in the log). */
    static Optional<Calls> calls() {
        return Bound.CALLS;
    }

    /** The errno the calling thread's last call through {@link Calls} left. */
    static int errno(Calls calls) {
        return LastError.getLastError(jnr.ffi.Runtime.getRuntime(calls));
    }

    private static Optional<Calls> bind() {
        try {
            return Optional.of(LibraryLoader.create(Calls.class).load("c"));
        } catch (LinkageError | RuntimeException e) {
            Logger.warn("libc cannot be bound through jnr-ffi ({}): container exit codes and app logs are unavailable",
                    e.toString());
            return Optional.empty();
        }
    }
}
