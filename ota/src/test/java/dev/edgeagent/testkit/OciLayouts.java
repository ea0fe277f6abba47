package dev.edgeagent.testkit;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixture images built with the real tools (umoci, skopeo) and pushed to a real registry. */
public final class OciLayouts {
    private OciLayouts() {}

    private static String umoci() {
        return Tools.require("umoci", "umoci").toString();
    }

    private static String skopeo() {
        return Tools.require("skopeo", "skopeo").toString();
    }

    /** A new layout at {@code dir} with an empty image {@code tag}, for the given architecture. */
    public static void newImage(Path dir, String tag, String architecture) throws IOException, InterruptedException {
        if (!Files.exists(dir.resolve("index.json"))) {
            Tools.run(List.of(umoci(), "init", "--layout", dir.toString()), 60).orThrow("umoci init");
        }
        Tools.run(List.of(umoci(), "new", "--image", dir + ":" + tag), 60).orThrow("umoci new");
        Tools.run(List.of(umoci(), "config", "--image", dir + ":" + tag, "--architecture", architecture,
                "--config.cmd", "/bin/true"), 60).orThrow("umoci config");
    }

    /** Appends a hand-made layer (an uncompressed tar, whiteouts and all) to the image. */
    public static void addLayer(Path dir, String tag, TarBuilder layer) throws IOException, InterruptedException {
        Path tar = Files.createTempFile(dir.getParent(), "layer", ".tar");
        Files.write(tar, layer.tarBytes());
        Tools.run(List.of(umoci(), "raw", "add-layer", "--image", dir + ":" + tag, tar.toString()), 60).orThrow("umoci raw add-layer");
        Files.delete(tar);
    }

    /**
     * Pushes {@code source} (a skopeo transport reference) to {@code dest} on the registry, with extra skopeo flags,
     * and returns the digest of the manifest as the registry now holds it.
     */
    public static Digest push(String source, String dest, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(skopeo(), "copy", "--quiet", "--dest-tls-verify=false"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of(source, "docker://" + dest));
        Tools.run(cmd, 120).orThrow("skopeo copy");
        List<String> inspect = new ArrayList<>(List.of(skopeo(), "inspect", "--raw", "--tls-verify=false"));
        int creds = List.of(flags).indexOf("--dest-creds");
        if (creds >= 0) {
            inspect.addAll(List.of("--creds", flags[creds + 1]));
        }
        inspect.add("docker://" + dest);
        String raw = Tools.run(inspect, 60).orThrow("skopeo inspect").stdout();
        return Digest.sha256Of(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds an image index naming two images of the layout by platform, under {@code indexTag}, so that
     * {@code skopeo copy --all} pushes all three.
     */
    @SuppressWarnings("unchecked")
    public static void addIndex(Path dir, String indexTag, String amd64Tag, String arm64Tag) throws IOException {
        Map<String, Object> layoutIndex = Json.object(Files.readAllBytes(dir.resolve("index.json")));
        List<Object> entries = (List<Object>) layoutIndex.get("manifests");
        List<Object> platforms = new ArrayList<>();
        for (String[] tagArch : new String[][] {{amd64Tag, "amd64"}, {arm64Tag, "arm64"}}) {
            Map<String, Object> entry = entries.stream().map(e -> (Map<String, Object>) e)
                    .filter(e -> tagArch[0].equals(((Map<String, Object>) e.get("annotations")).get("org.opencontainers.image.ref.name")))
                    .findFirst().orElseThrow();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", entry.get("mediaType"));
            d.put("digest", entry.get("digest"));
            d.put("size", entry.get("size"));
            d.put("platform", Map.of("os", "linux", "architecture", tagArch[1]));
            platforms.add(d);
        }
        Map<String, Object> imageIndex = new LinkedHashMap<>();
        imageIndex.put("schemaVersion", 2);
        imageIndex.put("mediaType", "application/vnd.oci.image.index.v1+json");
        imageIndex.put("manifests", platforms);
        byte[] bytes = Json.compact(imageIndex);
        Digest digest = Digest.sha256Of(bytes);
        Files.write(dir.resolve("blobs/sha256/" + digest.hex()), bytes);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("mediaType", "application/vnd.oci.image.index.v1+json");
        entry.put("digest", digest.toString());
        entry.put("size", bytes.length);
        entry.put("annotations", Map.of("org.opencontainers.image.ref.name", indexTag));
        List<Object> updated = new ArrayList<>(entries);
        updated.add(entry);
        layoutIndex.put("manifests", updated);
        Files.write(dir.resolve("index.json"), Json.compact(layoutIndex));
    }
}
