package dev.edgeagent.ota.registry;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.Digest;
import dev.edgeagent.security.ImageRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one place that speaks HTTP to registries (OCI distribution spec). Every byte it returns or stores has been
 * checked against the digest it was asked for; nothing unverified leaves this class.
 */
public final class RegistryClient {
    private static final String MANIFEST_ACCEPT = Stream.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST,
            MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST).collect(Collectors.joining(", "));

    private final HttpClient http;
    private final RegistryEndpoints endpoints;
    private final int maxManifestBytes;

    public RegistryClient(RegistryEndpoints endpoints, int maxManifestBytes) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                // NORMAL never follows an https -> http downgrade.
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.endpoints = endpoints;
        this.maxManifestBytes = maxManifestBytes;
    }

    public FetchedManifest manifest(ImageRef ref, Digest digest) throws OtaException {
        URI uri = endpoints.manifest(ref, digest.toString());
        HttpResponse<InputStream> response = send(uri, MANIFEST_ACCEPT, "manifest " + digest + " of " + ref.repository());
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(maxManifestBytes + 1);
            if (bytes.length > maxManifestBytes) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "manifest " + digest + " from " + ref.registry()
                        + " is larger than the " + maxManifestBytes + "-byte limit; refused");
            }
            Digest actual = Digest.sha256Of(bytes);
            if (!actual.equals(digest)) {
                throw new OtaException(ErrorCode.DIGEST_MISMATCH, "registry " + ref.registry() + " served manifest "
                        + actual + " for " + ref.repository() + "@" + digest + "; refused");
            }
            String mediaType = response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
            return new FetchedManifest(digest, mediaType, bytes);
        } catch (IOException e) {
            throw unreachable(ref, "reading manifest " + digest, e);
        }
    }

    /** Streams a blob into the store, which verifies it; a blob the store already has is not fetched. */
    public void blob(ImageRef ref, Descriptor descriptor, BlobStore store) throws OtaException {
        if (store.has(descriptor.digest())) {
            return;
        }
        URI uri = endpoints.blob(ref, descriptor.digest().toString());
        HttpResponse<InputStream> response = send(uri, "*/*", "blob " + descriptor.digest() + " of " + ref.repository());
        try (InputStream body = response.body()) {
            store.ingest(descriptor.digest(), descriptor.size(), body);
        } catch (IOException e) {
            throw unreachable(ref, "downloading blob " + descriptor.digest(), e);
        }
    }

    private HttpResponse<InputStream> send(URI uri, String accept, String what) throws OtaException {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", accept).timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "tried to fetch " + what + " from " + uri.getHost()
                    + ":" + uri.getPort() + " but failed because: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OtaException(ErrorCode.INTERNAL, "interrupted while fetching " + what, e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response;
        }
        String snippet = snippet(response);
        if (status == 404) {
            throw new OtaException(ErrorCode.NOT_FOUND, "registry " + uri.getAuthority() + " has no " + what + " (HTTP 404)");
        }
        if (status == 401 || status == 403) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + uri.getAuthority() + " refused access to " + what
                    + " (HTTP " + status + "); registry authentication is not supported by this agent yet");
        }
        throw new OtaException(ErrorCode.REGISTRY_ERROR, "tried to fetch " + what + " from " + uri.getAuthority()
                + " but it answered HTTP " + status + (snippet.isEmpty() ? "" : ": " + snippet));
    }

    private static String snippet(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readNBytes(300), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static OtaException unreachable(ImageRef ref, String what, IOException e) {
        return new OtaException(ErrorCode.REGISTRY_UNREACHABLE, what + " from " + ref.registry() + " failed: " + describe(e), e);
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
