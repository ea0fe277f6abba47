package dev.edgeagent.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageRefTest {
    private static final String HEX = "a".repeat(64);

    @Test
    void readsRegistryRepositoryTagAndDigest() {
        ImageRef r = ImageRef.parse("127.0.0.1:5000/apps/demo:1.0@sha256:" + HEX);
        assertEquals("127.0.0.1:5000", r.registry());
        assertEquals("apps/demo", r.repository());
        assertEquals(Optional.of("1.0"), r.tag());
        assertEquals("sha256:" + HEX, r.requireDigest().toString());
        assertEquals("127.0.0.1:5000/apps/demo:1.0@sha256:" + HEX, r.toString());
    }

    @Test
    void appliesDockerHubDefaults() {
        ImageRef r = ImageRef.parse("busybox");
        assertEquals(ImageRef.DOCKER_HUB, r.registry());
        assertEquals("library/busybox", r.repository());
        assertEquals(Optional.of("latest"), r.tag());
        assertEquals("localhost", ImageRef.parse("localhost/x@sha256:" + HEX).registry());
        assertEquals("team/app", ImageRef.parse("team/app:v2").repository());
    }

    @Test
    void anUnpinnedReferenceCannotBeActedOn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("host:5000/app:1").requireDigest());
        assertTrue(e.getMessage().contains("not pinned by digest"));
    }

    @Test
    void refusesMalformedReferences() {
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("host/UPPER@sha256:" + HEX));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("host/app@sha256:short"));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("host/../app@sha256:" + HEX));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("host/app:bad tag"));
    }
}
