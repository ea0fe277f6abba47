package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.unpack.LayerSource;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.testkit.OciLayouts;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.RegistryUpload;
import dev.edgeagent.testkit.TarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image shapes made by umoci and skopeo, pushed to a real registry, pulled and unpacked. */
class ImageFormatsIT {
    private static final IdRange IDS = new IdRange(1_048_576, 65536);

    @TempDir
    static Path shared;
    static Registry registry;
    static Path layout;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildImages() throws Exception {
        registry = Registry.start(Files.createDirectories(shared.resolve("registry")));
        layout = shared.resolve("layout");
        OciLayouts.newImage(layout, "layered", "amd64");
        OciLayouts.addLayer(layout, "layered", new TarBuilder().dir("etc", 0).file("etc/old.conf", "old")
                .file("etc/keep.conf", "keep").dir("var/cache", 0).file("var/cache/a", "a").file("var/cache/b", "b"));
        OciLayouts.addLayer(layout, "layered", new TarBuilder().file("etc/.wh.old.conf", "").dir("var/cache", 0)
                .file("var/cache/.wh..wh..opq", "").file("var/cache/fresh", "fresh"));
        OciLayouts.addLayer(layout, "layered", new TarBuilder().file("etc/app.conf", "v3", 1000, 0600));
        OciLayouts.newImage(layout, "arm", "arm64");
        OciLayouts.addLayer(layout, "arm", new TarBuilder().file("arch", "arm64"));
        OciLayouts.addIndex(layout, "multi", "layered", "arm");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private PulledImage pull(ImageRef ref, String platform) throws Exception {
        BlobStore store = new BlobStore(dir.resolve("store"));
        PulledImage image = new ImagePuller(RegistryClient.create(TransportSettings.insecure(Set.of(registry.host()))), store)
                .pull(ref, Platform.parse(platform), PullProgress.NONE);
        List<LayerSource> layers = new ArrayList<>();
        for (int i = 0; i < image.manifest().layers().size(); i++) {
            Descriptor d = image.manifest().layers().get(i);
            layers.add(new LayerSource(store.path(d.digest()), MediaTypes.layerCompression(d.mediaType()).orElseThrow(),
                    image.config().diffIds().get(i)));
        }
        new LayerUnpacker(UnpackLimits.DEFAULT).unpack(layers, dir.resolve("rootfs"), IDS);
        return image;
    }

    private Path rootfs(String path) {
        return dir.resolve("rootfs").resolve(path);
    }

    private void assertLayeredTree() throws Exception {
        assertFalse(Files.exists(rootfs("etc/old.conf")), "whiteout removed a lower file");
        assertEquals("keep", Files.readString(rootfs("etc/keep.conf")));
        assertFalse(Files.exists(rootfs("var/cache/a")), "opaque dir hides lower entries");
        assertEquals("fresh", Files.readString(rootfs("var/cache/fresh")));
        assertEquals("v3", Files.readString(rootfs("etc/app.conf")));
        assertEquals(1_048_576 + 1000, Files.getAttribute(rootfs("etc/app.conf"), "unix:uid"));
    }

    @Test
    void aMultiLayerOciImageWithWhiteoutsAndOpaqueDirs() throws Exception {
        Digest d = OciLayouts.push("oci:" + layout + ":layered", registry.host() + "/layered:1");
        PulledImage image = pull(ImageRef.parse(registry.host() + "/layered@" + d), "linux/amd64");
        assertEquals(3, image.manifest().layers().size());
        assertEquals(MediaTypes.OCI_MANIFEST, image.manifest().mediaType());
        assertLayeredTree();
    }

    @Test
    void aDockerSchema2Image() throws Exception {
        Digest d = OciLayouts.push("oci:" + layout + ":layered", registry.host() + "/docker2:1", "--format", "v2s2");
        PulledImage image = pull(ImageRef.parse(registry.host() + "/docker2@" + d), "linux/amd64");
        assertEquals(MediaTypes.DOCKER_MANIFEST, image.manifest().mediaType());
        assertLayeredTree();
    }

    @Test
    void zstdLayers() throws Exception {
        RegistryUpload upload = new RegistryUpload(registry.host());
        Digest d = upload.pushImage("zstd", "1", List.of(
                RegistryUpload.zstdLayer(new TarBuilder().dir("etc", 0).file("etc/old.conf", "old").file("etc/keep.conf", "keep")
                        .dir("var/cache", 0).file("var/cache/a", "a")),
                RegistryUpload.zstdLayer(new TarBuilder().file("etc/.wh.old.conf", "").dir("var/cache", 0)
                        .file("var/cache/.wh..wh..opq", "").file("var/cache/fresh", "fresh")),
                RegistryUpload.zstdLayer(new TarBuilder().file("etc/app.conf", "v3", 1000, 0600))));
        PulledImage image = pull(ImageRef.parse(registry.host() + "/zstd@" + d), "linux/amd64");
        assertTrue(image.manifest().layers().stream().allMatch(l -> l.mediaType().equals(MediaTypes.OCI_LAYER_ZSTD)),
                image.manifest().layers().toString());
        assertLayeredTree();
    }

    @Test
    void aMultiArchIndexGivesEachDeviceItsOwnPlatform() throws Exception {
        Digest index = OciLayouts.push("oci:" + layout + ":multi", registry.host() + "/multi:1", "--all");
        PulledImage arm = pull(ImageRef.parse(registry.host() + "/multi@" + index), "linux/arm64");
        assertEquals("arm64", arm.config().architecture());
        assertEquals("arm64", Files.readString(rootfs("arch")));
        assertEquals(index, arm.ref().requireDigest(), "the reference stays pinned to the index");
        assertTrue(!arm.manifestDigest().equals(index), "the manifest that runs is the platform's own");
    }

    @Test
    void aTagIsResolvedOnceAndPinned() throws Exception {
        Digest d = OciLayouts.push("oci:" + layout + ":layered", registry.host() + "/tagged:v1");
        PulledImage image = pull(ImageRef.parse(registry.host() + "/tagged:v1"), "linux/amd64");
        assertEquals(d, image.ref().requireDigest());
        assertEquals(registry.host() + "/tagged:v1@" + d, image.ref().toString());
    }
}
