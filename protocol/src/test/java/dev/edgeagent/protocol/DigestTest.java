package dev.edgeagent.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DigestTest {
    private static final String EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void parsesAndPrintsTheOciForm() {
        assertEquals(EMPTY, Digest.parse(EMPTY).toString());
        assertEquals(Digest.parse(EMPTY), Digest.sha256Of(new byte[0]));
    }

    @Test
    void refusesAnythingButLowercaseSha256() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha512:" + "a".repeat(128)))
                .getMessage().contains("only sha256"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(EMPTY.toUpperCase().replace("SHA256", "sha256")));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("e3b0c44298fc1c149afbf4c8996fb924"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(null));
    }
}
