package dev.edgeagent.ota;

import dev.edgeagent.protocol.ErrorCode;

/** A pull or unpack that failed, with the stable code the operator sees and a sentence that says why. */
public class OtaException extends Exception {
    private final ErrorCode code;

    public OtaException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public OtaException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * A local write that failed: {@code INSUFFICIENT_STORAGE} when the disk (or a quota) is full, so the operator
     * sees a full disk rather than a storage fault, {@code STORAGE_ERROR} otherwise. Java gives no errno; the JDK puts
     * the kernel's {@code strerror} text in the message, which is what is matched.
     */
    public static OtaException storage(String what, java.io.IOException e) {
        if (isDiskFull(e)) {
            return new OtaException(ErrorCode.INSUFFICIENT_STORAGE, "the disk is full: " + what + " stopped with no space left "
                    + "on the device; what was written for it is removed. Free space, then send the order again", e);
        }
        return new OtaException(ErrorCode.STORAGE_ERROR, what + ": " + e.getMessage(), e);
    }

    /** Whether {@code e} (or a cause of it) is ENOSPC or EDQUOT. */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    public ErrorCode code() {
        return code;
    }
}
