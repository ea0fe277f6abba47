package dev.edgeagent.ota.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    @TempDir
    Path root;

    private final byte[] content = "layer bytes".getBytes();
    private final Digest digest = Digest.sha256Of(content);

    @Test
    void storesVerifiedContentReadOnlyUnderItsDigest() throws Exception {
        BlobStore store = new BlobStore(root);
        Path p = store.ingest(digest, content.length, new ByteArrayInputStream(content));
        assertEquals(root.resolve("blobs/sha256/" + digest.hex()), p);
        assertEquals("r--r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        assertTrue(store.has(digest));
        assertEmpty(root.resolve("ingest"));
    }

    @Test
    void wrongBytesNeverBecomeVisible() throws Exception {
        BlobStore store = new BlobStore(root);
        byte[] tampered = "layer bytez".getBytes();
        OtaException e = assertThrows(OtaException.class,
                () -> store.ingest(digest, content.length, new ByteArrayInputStream(tampered)));
        assertEquals(ErrorCode.DIGEST_MISMATCH, e.code());
        assertFalse(store.has(digest));
        assertFalse(Files.exists(root.resolve("ingest/" + digest.hex() + ".part")), "no partial download is left");
        assertEmpty(root.resolve("blobs/sha256"));
    }

    @Test
    void aBlobLongerOrShorterThanDeclaredIsRefused() throws Exception {
        BlobStore store = new BlobStore(root);
        assertThrows(OtaException.class, () -> store.ingest(digest, content.length - 1, new ByteArrayInputStream(content)));
        assertThrows(OtaException.class, () -> store.ingest(digest, content.length + 1, new ByteArrayInputStream(content)));
        assertEmpty(root.resolve("blobs/sha256"));
    }

    @Test
    void anIngestLeftByAnEarlierRunResumesFromItsBytes() throws Exception {
        BlobStore store = new BlobStore(root);
        Files.write(root.resolve("ingest/" + digest.hex() + ".part"), java.util.Arrays.copyOf(content, 5));
        long[] resumedAt = {-1};
        store.ingest(digest, content.length, writer -> {
            resumedAt[0] = writer.offset();
            writer.append(new ByteArrayInputStream(content, 5, content.length - 5));
        });
        assertEquals(5, resumedAt[0]);
        assertTrue(store.has(digest));
    }

    @Test
    void aNetworkFailureKeepsThePartialBytesAndAMismatchDropsThem() throws Exception {
        BlobStore store = new BlobStore(root);
        Path part = root.resolve("ingest/" + digest.hex() + ".part");
        OtaException cut = assertThrows(OtaException.class, () -> store.ingest(digest, content.length, writer -> {
            writer.append(new ByteArrayInputStream(content, 0, 4));
            throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "cut");
        }));
        assertEquals(ErrorCode.REGISTRY_UNREACHABLE, cut.code());
        assertEquals(4, Files.size(part));
        assertThrows(OtaException.class, () -> store.ingest(digest, content.length, writer ->
                writer.append(new ByteArrayInputStream("XXXXXXX".getBytes()))));
        assertFalse(Files.exists(part));
        assertFalse(store.has(digest));
    }

    private static void assertEmpty(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), dir + " is empty");
        }
    }
}
