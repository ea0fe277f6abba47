package dev.edgeagent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgeagent.protocol.Digest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestingInputStreamTest {

    @Test
    void digestingStreamHashesWhatPassesThroughIncludingSkippedBytes() throws Exception {
        byte[] data = "hello, edge".getBytes(StandardCharsets.UTF_8);
        DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
        in.read(new byte[3]);
        in.skip(2);
        in.drain();
        assertEquals(data.length, in.byteCount());
        assertEquals(Digest.sha256Of(data), in.digest());
    }
}
