package dev.edgeagent.ota.blob;

import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.ota.image.wire.ImageJson;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes blobs no kept image refers to. Roots are manifest or index digests; everything reachable from them
 * (platform manifests, configs, layers) stays. Must not run while a pull is in progress.
 */
public final class BlobCollector {
    public record Result(int removed, long bytesFreed) {}

    private BlobCollector() {}

    public static Result collect(BlobStore store, Set<Digest> roots) throws IOException {
        Set<Digest> keep = reachable(store, roots);
        int removed = 0;
        long freed = 0;
        for (Digest d : store.digests()) {
            if (!keep.contains(d)) {
                long size = Files.size(store.path(d));
                if (store.delete(d)) {
                    removed++;
                    freed += size;
                }
            }
        }
        return new Result(removed, freed);
    }

    static Set<Digest> reachable(BlobStore store, Set<Digest> roots) throws IOException {
        Set<Digest> keep = new HashSet<>();
        Deque<Digest> manifests = new ArrayDeque<>(roots);
        while (!manifests.isEmpty()) {
            Digest m = manifests.pop();
            if (!keep.add(m) || !store.has(m)) {
                continue;
            }
            byte[] body = store.read(m);
            String mediaType = ImageJson.declaredMediaType(body, MediaTypes.OCI_MANIFEST);
            if (MediaTypes.INDEXES.contains(mediaType)) {
                Object entries = Json.object(body).get("manifests");
                if (entries instanceof List<?> list) {
                    for (Object e : list) {
                        if (e instanceof Map<?, ?> entry && entry.get("digest") instanceof String d) {
                            manifests.push(Digest.parse(d));
                        }
                    }
                }
            } else {
                var manifest = ImageJson.manifest(body, MediaTypes.MANIFESTS.contains(mediaType) ? mediaType : MediaTypes.OCI_MANIFEST);
                keep.add(manifest.config().digest());
                manifest.layers().forEach(l -> keep.add(l.digest()));
            }
        }
        return keep;
    }
}
