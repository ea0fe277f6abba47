package dev.edgeagent.ota.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCollectorTest {
    @TempDir
    Path root;

    private static Digest put(BlobStore store, String content) throws Exception {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256Of(b);
        store.ingest(d, b);
        return d;
    }

    private static String manifest(Digest config, Digest layer) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":1},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer + "\",\"size\":1}]}";
    }

    @Test
    void keepsWhatKeptImagesReachAndRemovesTheRest() throws Exception {
        BlobStore store = new BlobStore(root);
        Digest keptConfig = put(store, "config-a");
        Digest sharedLayer = put(store, "layer-shared");
        Digest kept = put(store, manifest(keptConfig, sharedLayer));
        Digest index = put(store, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + kept + "\",\"size\":1}]}");
        Digest oldConfig = put(store, "config-old");
        Digest oldLayer = put(store, "layer-old");
        Digest old = put(store, manifest(oldConfig, sharedLayer).replace(sharedLayer.toString(), oldLayer.toString()));

        BlobCollector.Result r = BlobCollector.collect(store, Set.of(index));

        assertEquals(3, r.removed());
        for (Digest d : new Digest[] {index, kept, keptConfig, sharedLayer}) {
            assertTrue(store.has(d), d.toString());
        }
        for (Digest d : new Digest[] {old, oldConfig, oldLayer}) {
            assertFalse(store.has(d), d.toString());
        }
        assertTrue(r.bytesFreed() > 0);
    }
}
