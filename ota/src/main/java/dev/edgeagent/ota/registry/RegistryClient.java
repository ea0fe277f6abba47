package dev.edgeagent.ota.registry;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.blob.BlobWriter;
import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.ota.image.MediaTypes;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * The registry calls of the OCI distribution spec that a pull needs: manifest by digest, tag resolution, blob.
 * Every byte it returns or stores has been checked against the digest it was asked for.
 */
public final class RegistryClient {
    private static final String MANIFEST_ACCEPT = Stream.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST,
            MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST).collect(Collectors.joining(", "));

    private final RegistryTransport transport;
    private final int maxManifestBytes;
    private final long maxBlobBytes;

    public static final int DEFAULT_MAX_MANIFEST_BYTES = 4 << 20;
    public static final long DEFAULT_MAX_BLOB_BYTES = 16L << 30;

    public RegistryClient(RegistryTransport transport, int maxManifestBytes, long maxBlobBytes) {
        this.transport = transport;
        this.maxManifestBytes = maxManifestBytes;
        this.maxBlobBytes = maxBlobBytes;
    }

    /** A client with the default size limits. */
    public static RegistryClient create(TransportSettings settings) throws OtaException {
        return new RegistryClient(new RegistryTransport(settings), DEFAULT_MAX_MANIFEST_BYTES, DEFAULT_MAX_BLOB_BYTES);
    }

    /** The manifest pinned by {@code digest}; refused unless its bytes hash to it. */
    public FetchedManifest manifest(ImageRef ref, Digest digest) throws OtaException {
        FetchedManifest m = fetchManifest(ref, digest.toString(), "manifest " + digest + " of " + ref.repository());
        if (!m.digest().equals(digest)) {
            throw new OtaException(ErrorCode.DIGEST_MISMATCH, "registry " + ref.registry() + " served manifest "
                    + m.digest() + " for " + ref.repository() + "@" + digest + "; refused");
        }
        return m;
    }

    /** Resolves a tag once: the digest is computed from the bytes served, not taken from a header. */
    public FetchedManifest resolveTag(ImageRef ref) throws OtaException {
        String tag = ref.tag().orElseThrow(() -> new IllegalArgumentException(ref + " has no tag"));
        return fetchManifest(ref, tag, "manifest " + ref.repository() + ":" + tag);
    }

    /** The manifest at {@code tag}, or empty when the registry has none there (HTTP 404). */
    public java.util.Optional<FetchedManifest> manifestAtTag(ImageRef ref, String tag) throws OtaException {
        try {
            return java.util.Optional.of(fetchManifest(ref, tag, "manifest " + ref.repository() + ":" + tag));
        } catch (OtaException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The referrers index of {@code digest} from the OCI 1.1 referrers API, or empty when the registry does not offer
     * the API (HTTP 404: the caller falls back to the referrers tag schema).
     */
    public java.util.Optional<byte[]> referrers(ImageRef ref, Digest digest) throws OtaException {
        URI uri = transport.base(ref.registry()).resolve(ref.repository() + "/referrers/" + digest);
        String what = "referrers of " + ref.repository() + "@" + digest;
        HttpResponse<InputStream> r;
        try {
            r = transport.get(ref.registry(), ref.repository(), uri, Map.of("Accept", MediaTypes.OCI_INDEX), what);
        } catch (OtaException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return java.util.Optional.empty();
            }
            throw e;
        }
        try (InputStream body = r.body()) {
            byte[] bytes = body.readNBytes(maxManifestBytes + 1);
            if (bytes.length > maxManifestBytes) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, what + " is larger than the " + maxManifestBytes + "-byte limit; refused");
            }
            return java.util.Optional.of(bytes);
        } catch (IOException e) {
            throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "reading " + what + " failed: " + RegistryTransport.describe(e), e);
        }
    }

    /** A small blob read whole into memory (a signature payload), refused unless it is what its descriptor says. */
    public byte[] smallBlob(ImageRef ref, Descriptor d, int maxBytes) throws OtaException {
        if (d.size() > maxBytes) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "blob " + d.digest() + " declares " + d.size() + " bytes, above "
                    + maxBytes + " for a " + d.mediaType());
        }
        URI uri = transport.base(ref.registry()).resolve(ref.repository() + "/blobs/" + d.digest());
        String what = "blob " + d.digest() + " of " + ref.repository();
        HttpResponse<InputStream> r = transport.get(ref.registry(), ref.repository(), uri, Map.of(), what);
        try (InputStream body = r.body()) {
            byte[] bytes = body.readNBytes(maxBytes + 1);
            if (bytes.length != d.size() || !Digest.sha256Of(bytes).equals(d.digest())) {
                throw new OtaException(ErrorCode.DIGEST_MISMATCH, "registry " + ref.registry() + " served " + what
                        + " with other bytes than its digest names; refused");
            }
            return bytes;
        } catch (IOException e) {
            throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "reading " + what + " failed: " + RegistryTransport.describe(e), e);
        }
    }

    public RegistryTransport transport() {
        return transport;
    }

    private FetchedManifest fetchManifest(ImageRef ref, String reference, String what) throws OtaException {
        URI uri = transport.base(ref.registry()).resolve(ref.repository() + "/manifests/" + reference);
        HttpResponse<InputStream> response = transport.get(ref.registry(), ref.repository(), uri,
                Map.of("Accept", MANIFEST_ACCEPT), what);
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(maxManifestBytes + 1);
            if (bytes.length > maxManifestBytes) {
                throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, what + " from " + ref.registry() + " is larger than the "
                        + maxManifestBytes + "-byte limit; refused");
            }
            String mediaType = response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
            return new FetchedManifest(Digest.sha256Of(bytes), mediaType, bytes);
        } catch (IOException e) {
            throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "reading " + what + " from " + ref.registry()
                    + " failed: " + RegistryTransport.describe(e), e);
        }
    }

    /**
     * Streams a blob into the store, which verifies it. A blob the store has is not fetched; a download that breaks
     * off resumes with an HTTP Range request from the bytes already written and hashed.
     */
    public void blob(ImageRef ref, Descriptor descriptor, BlobStore store) throws OtaException {
        if (descriptor.size() > maxBlobBytes) {
            throw new OtaException(ErrorCode.UNSUPPORTED_IMAGE, "blob " + descriptor.digest() + " declares " + descriptor.size()
                    + " bytes, above the limit of " + maxBlobBytes);
        }
        if (store.has(descriptor.digest())) {
            return;
        }
        try {
            store.ingest(descriptor.digest(), descriptor.size(), writer -> download(ref, descriptor, writer));
        } catch (IOException e) {
            throw OtaException.storage("storing blob " + descriptor.digest(), e);
        }
    }

    private void download(ImageRef ref, Descriptor d, BlobWriter writer) throws OtaException {
        URI uri = transport.base(ref.registry()).resolve(ref.repository() + "/blobs/" + d.digest());
        String what = "blob " + d.digest() + " of " + ref.repository();
        RetryPolicy retries = transport.retries();
        IOException last = null;
        for (int attempt = 1; attempt <= retries.maxAttempts(); attempt++) {
            if (writer.offset() == writer.size()) {
                return;
            }
            try {
                RetryPolicy.sleep(retries.delayBefore(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OtaException(ErrorCode.INTERNAL, "interrupted while fetching " + what, e);
            }
            long from = writer.offset();
            Map<String, String> headers = from > 0 ? Map.of("Range", "bytes=" + from + "-") : Map.of();
            HttpResponse<InputStream> r = transport.get(ref.registry(), ref.repository(), uri, headers, what);
            try (InputStream body = r.body()) {
                if (from > 0 && !resumesAt(r, from)) {
                    Logger.info("registry {} ignored the range request for {}; fetching it whole", ref.registry(), d.digest());
                    writer.restart();
                }
                writer.append(body);
                return;
            } catch (IOException e) {
                last = e;
                Logger.warn("{} broke off after {} of {} bytes (attempt {} of {}): {}", what, writer.offset(), d.size(),
                        attempt, retries.maxAttempts(), RegistryTransport.describe(e));
            }
        }
        throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "tried to fetch " + what + " from " + ref.registry() + " "
                + retries.maxAttempts() + " times; it broke off each time, last because: "
                + RegistryTransport.describe(last) + " (" + writer.offset() + " of " + d.size() + " bytes kept for a resume)", last);
    }

    private static boolean resumesAt(HttpResponse<InputStream> r, long from) {
        if (r.statusCode() != 206) {
            return false;
        }
        String range = r.headers().firstValue("Content-Range").orElse("");
        return range.startsWith("bytes " + from + "-");
    }
}
