package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.ErrorCode;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class OtaExceptionTest {
    @Test
    void aFullDiskOrQuotaIsInsufficientStorageAndAnyOtherWriteFailureAStorageError() {
        OtaException full = OtaException.storage("unpacking layer 0", new IOException("No space left on device"));
        assertEquals(ErrorCode.INSUFFICIENT_STORAGE, full.code());
        assertTrue(full.getMessage().startsWith("the disk is full: unpacking layer 0"), full.getMessage());
        assertEquals(ErrorCode.INSUFFICIENT_STORAGE,
                OtaException.storage("x", new IOException("wrapped", new IOException("Disk quota exceeded"))).code());
        OtaException other = OtaException.storage("storing blob", new IOException("Read-only file system"));
        assertEquals(ErrorCode.STORAGE_ERROR, other.code());
        assertEquals("storing blob: Read-only file system", other.getMessage());
    }
}
