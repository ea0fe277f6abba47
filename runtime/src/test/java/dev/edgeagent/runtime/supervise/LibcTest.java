package dev.edgeagent.runtime.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libc binding against the real libc: what the calls return, and the errno each failure leaves. */
class LibcTest {
    @TempDir
    Path dir;

    private static Libc.Calls libc() {
        return Libc.calls().orElseThrow(() -> new AssertionError("jnr-ffi could not bind libc"));
    }

    @Test
    void aFailedCallLeavesItsErrno() {
        Libc.Calls libc = libc();
        assertEquals(-1, libc.open(dir.resolve("missing").toString(), OpenFlags.O_RDONLY.intValue(), 0));
        assertEquals(Errno.ENOENT.intValue(), Libc.errno(libc));
        assertEquals(-1, libc.mkfifo(dir.resolve("no/such/dir/p").toString(), 0600));
        assertEquals(Errno.ENOENT.intValue(), Libc.errno(libc));
    }

    @Test
    void aFifoIsMadeOpenedAndReadThroughTheBinding() throws Exception {
        Libc.Calls libc = libc();
        Path fifo = dir.resolve("p");
        assertEquals(0, libc.mkfifo(fifo.toString(), 0600));
        assertTrue(Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther(),
                "a fifo");
        int fd = libc.open(fifo.toString(), OpenFlags.O_RDWR.intValue() | OpenFlags.O_NONBLOCK.intValue(), 0);
        assertTrue(fd >= 0, "open: errno " + Libc.errno(libc));
        try {
            byte[] buffer = new byte[16];
            assertEquals(-1, libc.read(fd, buffer, buffer.length), "nothing written yet");
            assertEquals(Errno.EAGAIN.intValue(), Libc.errno(libc));
            Files.writeString(fifo, "hello"); // a second descriptor, as a container's stdout is
            assertEquals(5, libc.read(fd, buffer, buffer.length));
            assertEquals("hello", new String(buffer, 0, 5, StandardCharsets.US_ASCII));
        } finally {
            assertEquals(0, libc.close(fd));
        }
    }
}
