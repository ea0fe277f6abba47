package dev.edgeagent.testkit;

import dev.edgeagent.protocol.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Attaches a Sigstore bundle to an image the way cosign's bundle spec describes, by plain HTTP calls written here
 * from the specs (not by the agent's publisher): the bundle blob, an artifact manifest with the image as subject,
 * and, as docker-registry 2.8 has no referrers API, the referrers tag schema's index at {@code sha256-<hex>}.
 */
public final class ReferrerPush {
    private static final String EMPTY = "{}";
    private static final String BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

    private ReferrerPush() {}

    /** Pushes {@code bundle} as the only referrer of {@code subject} in {@code repository}; returns the bundle manifest's digest. */
    public static Digest attachOnly(String host, String repository, Digest subject, byte[] bundle) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://" + host + "/v2/" + repository + "/";
        byte[] empty = EMPTY.getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(bundle, empty)) {
            HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base + "blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            URI put = URI.create(base).resolve(start.headers().firstValue("Location").orElseThrow());
            HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest="
                    + Digest.sha256Of(blob))).PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            check(done, "blob upload");
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"" + BUNDLE_TYPE
                + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + Digest.sha256Of(empty) + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"" + BUNDLE_TYPE + "\",\"digest\":\"" + Digest.sha256Of(bundle) + "\",\"size\":" + bundle.length + "}],"
                + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + subject + "\",\"size\":0}}";
        byte[] m = manifest.getBytes(StandardCharsets.UTF_8);
        Digest md = Digest.sha256Of(m);
        check(http.send(HttpRequest.newBuilder(URI.create(base + "manifests/" + md)).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(m)).build(), HttpResponse.BodyHandlers.ofString()), "bundle manifest");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + md + "\",\"size\":" + m.length + ",\"artifactType\":\"" + BUNDLE_TYPE
                + "\",\"annotations\":{\"dev.sigstore.bundle.content\":\"dsse-envelope\"}}]}";
        check(http.send(HttpRequest.newBuilder(URI.create(base + "manifests/sha256-" + subject.hex())).header("Content-Type",
                "application/vnd.oci.image.index.v1+json").PUT(HttpRequest.BodyPublishers.ofString(index)).build(),
                HttpResponse.BodyHandlers.ofString()), "referrers index");
        return md;
    }

    private static void check(HttpResponse<String> r, String what) {
        if (r.statusCode() != 201) {
            throw new IllegalStateException(what + " refused: HTTP " + r.statusCode() + " " + r.body());
        }
    }
}
