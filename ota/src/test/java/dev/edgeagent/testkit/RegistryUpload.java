package dev.edgeagent.testkit;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes hand-assembled images through the distribution API (monolithic uploads), for shapes the fixture tools
 * cannot make, such as zstd layers with skopeo 1.9.
 */
public final class RegistryUpload {
    public record Layer(String mediaType, byte[] blob, Digest diffId) {}

    private final HttpClient http = HttpClient.newHttpClient();
    private final String host;

    public RegistryUpload(String host) {
        this.host = host;
    }

    /** A zstd layer made with the real zstd tool from an uncompressed tar. */
    public static Layer zstdLayer(TarBuilder tar) throws IOException, InterruptedException {
        byte[] raw = tar.tarBytes();
        Path in = Files.createTempFile("layer", ".tar");
        try {
            Files.write(in, raw);
            Tools.run(List.of(Tools.require("zstd", "zstd").toString(), "-q", "-f", in.toString()), 60).orThrow("zstd");
            Path out = Path.of(in + ".zst");
            byte[] blob = Files.readAllBytes(out);
            Files.delete(out);
            return new Layer("application/vnd.oci.image.layer.v1.tar+zstd", blob, Digest.sha256Of(raw));
        } finally {
            Files.delete(in);
        }
    }

    /** Uploads the layers and a linux/amd64 config, then the manifest under {@code tag}; returns its digest. */
    public Digest pushImage(String repository, String tag, List<Layer> layers) throws IOException, InterruptedException {
        List<Object> diffIds = new ArrayList<>();
        List<Object> layerDescriptors = new ArrayList<>();
        for (Layer l : layers) {
            diffIds.add(l.diffId().toString());
            layerDescriptors.add(descriptor(l.mediaType(), upload(repository, l.blob()), l.blob().length));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of("Cmd", List.of("/bin/true")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        byte[] configBytes = Json.compact(config);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", upload(repository, configBytes), configBytes.length));
        manifest.put("layers", layerDescriptors);
        byte[] manifestBytes = Json.compact(manifest);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifestBytes)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("manifest upload failed: HTTP " + r.statusCode() + " " + r.body());
        }
        return Digest.sha256Of(manifestBytes);
    }

    private Digest upload(String repository, byte[] blob) throws IOException, InterruptedException {
        Digest d = Digest.sha256Of(blob);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String location = start.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException("no upload location"));
        URI put = URI.create("http://" + host + "/").resolve(location);
        String sep = put.getQuery() == null ? "?" : "&";
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(put + sep + "digest=" + d))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        if (done.statusCode() != 201) {
            throw new IllegalStateException("blob upload failed: HTTP " + done.statusCode() + " " + done.body());
        }
        return d;
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", digest.toString());
        m.put("size", size);
        return m;
    }
}
