package dev.edgeagent.runtime.supervise;

import java.util.Optional;

/**
 * How a container's main process ended: an exit code, or the signal that killed it, and whether the kernel's OOM
 * killer did it. Both empty when it ended while no one was watching (the agent was restarted meanwhile).
 */
public record ExitStatus(Optional<Integer> code, Optional<Integer> signal, boolean oomKilled) {
    public static final ExitStatus UNKNOWN = new ExitStatus(Optional.empty(), Optional.empty(), false);

    /** Decodes a waitpid(2) status word. */
    public static ExitStatus fromWaitStatus(int status, boolean oomKilled) {
        int signal = status & 0x7f;
        if (signal == 0) {
            return new ExitStatus(Optional.of((status >> 8) & 0xff), Optional.empty(), oomKilled);
        }
        return new ExitStatus(Optional.empty(), Optional.of(signal), oomKilled);
    }

    public ExitStatus withOom(boolean oom) {
        return new ExitStatus(code, signal, oom);
    }

    /** A clean exit: code 0, not killed. */
    public boolean isSuccess() {
        return code.isPresent() && code.get() == 0 && !oomKilled;
    }

    /** The shell's convention: the code, or 128 + signal. */
    public Optional<Integer> shellCode() {
        return code.isPresent() ? code : signal.map(s -> 128 + s);
    }

    public String describe() {
        if (oomKilled) {
            return "killed by the OOM killer (memory limit reached)";
        }
        if (code.isPresent()) {
            return "exited with code " + code.get();
        }
        if (signal.isPresent()) {
            return "killed by signal " + signal.get();
        }
        return "exited while the agent was not watching (code unknown)";
    }
}
