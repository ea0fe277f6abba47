package dev.edgeagent.agent;

import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.PullProgress;
import dev.edgeagent.ota.PulledImage;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.ota.sign.CosignVerifier;
import dev.edgeagent.ota.sign.ImageTrust;
import dev.edgeagent.agent.trust.TrustStore;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.userns.IdRange;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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

    /**
     * Pulls and test-unpacks; {@code target}, when given, keeps the unpacked rootfs there: it is created here, fresh,
     * and the pull is refused if anything (a symlink included) is already at that path.
     */
    static int run(AgentConfig config, ImageRef ref, Platform platform, Optional<Path> target, PrintStream out, PrintStream err) {
        Path scratch = config.root().resolve("apps").resolve(".pull-check-" + ProcessHandle.current().pid());
        DeviceProfile profile;
        Optional<TrustStore> trust;
        try {
            profile = DeviceProfiles.load(config.profile());
            trust = config.trust().document().isPresent()
                    ? Optional.of(TrustStore.open(new AgentPaths(config.root()).trust(), config.trust().document().get()))
                    : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            err.println("edgeagent pull: " + e.getMessage());
            return 2;
        }
        long started = System.nanoTime();
        boolean succeeded = false;
        boolean createdTarget = false;
        try {
            BlobStore store = new BlobStore(config.root());
            RegistryClient registry = RegistryClient.create(config.registryTransport());
            // The same signature check a deploy makes: the trust document's rule for the repository must be met.
            ImagePuller puller = new ImagePuller(registry, store, trust.<ImageTrust>map(t -> new CosignVerifier(registry, t::current))
                    .orElse(ImageTrust.UNCHECKED));
            PullProgress progress = (blob, done, total, bytesDone, bytesTotal) ->
                    err.printf("  verified %d/%d  %s  (%d%%)%n", done, total, blob.digest(),
                            bytesTotal == 0 ? 100 : 100 * bytesDone / bytesTotal);
            PulledImage image = puller.resolve(ref, platform, progress);
            Path rootfs = target.orElse(scratch.resolve("rootfs"));
            if (target.isPresent()) {
                // mkdir(2) neither follows nor reuses what is already there: a symlink planted since the command
                // line was checked makes this fail, and nothing is written through it.
                try {
                    Files.createDirectory(target.get());
                } catch (FileAlreadyExistsException e) {
                    err.println("edgeagent pull: refused [" + ErrorCode.BAD_REQUEST + "]: --unpack-to " + target.get()
                            + " already exists; give a path that does not");
                    return 1;
                }
                createdTarget = true;
            }
            // The same ceiling a deploy has: the profile's storage ceiling, never more than the built-in limit.
            UnpackLimits limits = new UnpackLimits(Math.min(UnpackLimits.DEFAULT.maxTotalBytes(), profile.storageBytes()),
                    UnpackLimits.DEFAULT.maxEntries(), UnpackLimits.DEFAULT.maxPathLength());
            LayerUnpacker.Session session = new LayerUnpacker(limits).open(rootfs, CHECK_IDS);
            puller.fetchAndUnpack(image, progress, session, index -> { });
            long unpacked = System.nanoTime();
            long entries;
            try (Stream<Path> walk = Files.walk(rootfs)) {
                entries = walk.count() - 1;
            }
            out.println(image.ref());
            err.printf("pulled %s for %s: manifest %s, %d layers, %d compressed bytes; unpacked %d entries, none unsafe%n",
                    image.ref(), platform, image.manifestDigest(), image.manifest().layers().size(),
                    image.manifest().totalBlobBytes(), entries);
            err.printf("pull, verify and unpack took %d ms%s%n", (unpacked - started) / 1_000_000,
                    target.map(t -> "; the rootfs is kept in " + t).orElse(""));
            succeeded = true;
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
                if (!succeeded && createdTarget) {
                    Trees.deleteRecursively(target.get());
                }
            } catch (IOException e) {
                err.println("edgeagent pull: could not remove " + scratch + ": " + e.getMessage());
            }
        }
    }
}
