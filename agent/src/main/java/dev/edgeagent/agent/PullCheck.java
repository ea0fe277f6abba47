package dev.edgeagent.agent;

import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.PulledImage;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.unpack.LayerSource;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.ImageRef;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.userns.IdRange;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code edgeagent pull REF}: an on-site check that an image can be had. Pulls and verifies into the agent's blob
 * store, unpacks into a scratch tree under the root to prove every layer is safe, removes the tree, and prints
 * the digest the reference is pinned to.
 */
final class PullCheck {
    /** Owners of the scratch tree: a block below the apps' ranges, used only while the check runs. */
    static final IdRange CHECK_IDS = new IdRange(15 * IdRange.APP_RANGE_SIZE, IdRange.APP_RANGE_SIZE);

    private PullCheck() {}

    static int run(AgentConfig config, ImageRef ref, Platform platform, PrintStream out, PrintStream err) {
        Path scratch = config.root().resolve("apps").resolve(".pull-check-" + ProcessHandle.current().pid());
        try {
            BlobStore store = new BlobStore(config.root());
            ImagePuller puller = new ImagePuller(RegistryClient.create(config.registryTransport()), store);
            PulledImage image = puller.pull(ref, platform, (blob, done, total, bytesDone, bytesTotal) ->
                    err.printf("  verified %d/%d  %s  (%d%%)%n", done, total, blob.digest(),
                            bytesTotal == 0 ? 100 : 100 * bytesDone / bytesTotal));
            List<LayerSource> layers = new ArrayList<>();
            for (int i = 0; i < image.manifest().layers().size(); i++) {
                Descriptor d = image.manifest().layers().get(i);
                layers.add(new LayerSource(store.path(d.digest()), MediaTypes.layerCompression(d.mediaType()).orElseThrow(),
                        image.config().diffIds().get(i)));
            }
            new LayerUnpacker(UnpackLimits.DEFAULT).unpack(layers, scratch.resolve("rootfs"), CHECK_IDS);
            long entries;
            try (Stream<Path> walk = Files.walk(scratch.resolve("rootfs"))) {
                entries = walk.count() - 1;
            }
            out.println(image.ref());
            err.printf("pulled %s for %s: manifest %s, %d layers, %d compressed bytes; unpacked %d entries, none unsafe%n",
                    image.ref(), platform, image.manifestDigest(), layers.size(), image.manifest().totalBlobBytes(), entries);
            return 0;
        } catch (OtaException e) {
            err.println("edgeagent pull: refused [" + e.code() + "]: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("edgeagent pull: refused [" + ErrorCode.STORAGE_ERROR + "]: " + e.getMessage());
            return 1;
        } finally {
            try {
                Trees.deleteRecursively(scratch);
            } catch (IOException e) {
                err.println("edgeagent pull: could not remove " + scratch + ": " + e.getMessage());
            }
        }
    }
}
