package dev.edgeagent.ota.registry;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.tinylog.Logger;

/**
 * The one caller of registry HTTP: TLS with an optional CA bundle, bearer-token and basic auth from the
 * registry's challenge, redirects followed by hand (no downgrade to http; credentials never sent to another
 * host), and retries with backoff on 5xx, resets and timeouts.
 */
public final class RegistryTransport {
    private static final int MAX_REDIRECTS = 5;

    private final TransportSettings settings;
    private final Optional<SSLContext> sslContext;
    /**
     * Made on first use and dropped by {@link #releaseClient} once a pull is done: an idle agent keeps neither the
     * client's selector thread nor its buffers (java.net.http is loaded only while it pulls).
     */
    private HttpClient http;
    /** Authorization header per registry and repository, learned from a challenge. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    public RegistryTransport(TransportSettings settings) throws OtaException {
        this.settings = settings;
        this.sslContext = settings.caBundle().isPresent() ? Optional.of(sslContextTrusting(settings)) : Optional.empty();
    }

    private synchronized HttpClient http() {
        if (http == null) {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER);
            sslContext.ifPresent(b::sslContext);
            http = b.build();
        }
        return http;
    }

    /**
     * Lets go of the HTTP client and its connections; the next request makes a new one. Requests still running keep
     * theirs until their bodies are read.
     */
    public synchronized void releaseClient() {
        http = null;
    }

    /**
     * Sends one upload request (POST or PUT) for {@code edgectl sign-image}: anonymous, or with the registry's
     * configured user name and password. Token-authenticated pushes are not spoken (pulls are).
     */
    public HttpResponse<String> upload(String registry, String method, URI uri, Map<String, String> headers, byte[] body)
            throws OtaException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(req::header);
        Credentials creds = settings.credentials().get(registry);
        if (creds != null) {
            req.header("Authorization", creds.basicHeader());
        }
        try {
            HttpResponse<String> r = http().send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401) {
                throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + registry + " refused the upload (HTTP 401): "
                        + r.headers().firstValue("WWW-Authenticate").map(c -> "it asks for " + c + "; configure basic credentials for it")
                        .orElse("no credentials accepted"));
            }
            return r;
        } catch (IOException e) {
            throw new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "upload to " + registry + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OtaException(ErrorCode.INTERNAL, "interrupted while uploading to " + registry, e);
        }
    }

    public RetryPolicy retries() {
        return settings.retries();
    }

    public URI base(String registry) {
        String scheme = settings.insecureRegistries().contains(registry) ? "http" : "https";
        return URI.create(scheme + "://" + registry + "/v2/");
    }

    /**
     * GETs {@code uri} for {@code repository}, answering auth challenges and retrying transient failures.
     * Returns a 200 or 206 response whose body the caller must close; anything else becomes an OtaException.
     */
    public HttpResponse<InputStream> get(String registry, String repository, URI uri, Map<String, String> headers, String what)
            throws OtaException {
        RetryPolicy retries = settings.retries();
        OtaException last = null;
        for (int attempt = 1; attempt <= retries.maxAttempts(); attempt++) {
            try {
                RetryPolicy.sleep(retries.delayBefore(attempt));
                HttpResponse<InputStream> r = getAuthenticated(registry, repository, uri, headers, what);
                int status = r.statusCode();
                if (status == 200 || status == 206) {
                    return r;
                }
                String snippet = drainSnippet(r);
                OtaException failure = statusFailure(status, uri, what, snippet);
                if (!RetryPolicy.isRetryableStatus(status)) {
                    throw failure;
                }
                last = failure;
            } catch (IOException e) {
                last = new OtaException(ErrorCode.REGISTRY_UNREACHABLE, "tried to fetch " + what + " from "
                        + uri.getAuthority() + " but failed because: " + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OtaException(ErrorCode.INTERNAL, "interrupted while fetching " + what, e);
            }
            Logger.warn("attempt {} of {} to fetch {} failed: {}", attempt, retries.maxAttempts(), what, last.getMessage());
        }
        throw last;
    }

    private HttpResponse<InputStream> getAuthenticated(String registry, String repository, URI uri, Map<String, String> headers,
            String what) throws IOException, InterruptedException, OtaException {
        String key = registry + "/" + repository;
        HttpResponse<InputStream> r = followRedirects(uri, headers, authorizations.get(key));
        if (r.statusCode() != 401) {
            return r;
        }
        Optional<AuthChallenge> challenge = AuthChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
        drainSnippet(r);
        if (challenge.isEmpty()) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + registry + " refused " + what
                    + " (HTTP 401) without saying how to authenticate");
        }
        String authorization = authorize(registry, repository, challenge.get(), what);
        authorizations.put(key, authorization);
        return followRedirects(uri, headers, authorization);
    }

    private String authorize(String registry, String repository, AuthChallenge challenge, String what)
            throws IOException, InterruptedException, OtaException {
        Optional<Credentials> creds = Optional.ofNullable(settings.credentials().get(registry));
        switch (challenge.scheme()) {
            case "basic" -> {
                return creds.orElseThrow(() -> new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + registry
                        + " asks for a user name and password to fetch " + what + ", and none is configured for it"))
                        .basicHeader();
            }
            case "bearer" -> {
                return "Bearer " + fetchToken(registry, repository, challenge, creds);
            }
            default -> throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + registry
                    + " asks for authentication scheme '" + challenge.scheme() + "', which this agent does not speak");
        }
    }

    private String fetchToken(String registry, String repository, AuthChallenge challenge, Optional<Credentials> creds)
            throws IOException, InterruptedException, OtaException {
        String realm = challenge.param("realm").orElseThrow(() -> new OtaException(ErrorCode.REGISTRY_ERROR,
                "registry " + registry + " sent a bearer challenge without a realm"));
        URI realmUri = URI.create(realm);
        if ("http".equals(realmUri.getScheme()) && !settings.insecureRegistries().contains(registry)) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + registry + " points to a token service over plain "
                    + "http (" + realm + "); refused for a registry not listed as insecure");
        }
        StringBuilder q = new StringBuilder();
        challenge.param("service").ifPresent(s -> q.append("service=").append(enc(s)));
        String scope = challenge.param("scope").orElse("repository:" + repository + ":pull");
        q.append(q.length() > 0 ? "&" : "").append("scope=").append(enc(scope));
        URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
        HttpRequest.Builder req = HttpRequest.newBuilder(tokenUri).timeout(settings.timeout()).GET();
        creds.ifPresent(c -> req.header("Authorization", c.basicHeader()));
        HttpResponse<byte[]> r = http().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "token service " + tokenUri.getAuthority() + " refused a token for "
                    + scope + " (HTTP " + r.statusCode() + ")" + (creds.isEmpty() ? "; no credentials are configured for " + registry : ""));
        }
        Map<String, Object> body = Json.object(r.body());
        Object token = body.getOrDefault("token", body.get("access_token"));
        if (!(token instanceof String t) || t.isEmpty()) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "token service " + tokenUri.getAuthority() + " answered without a token");
        }
        return t;
    }

    private HttpResponse<InputStream> followRedirects(URI start, Map<String, String> headers, String authorization)
            throws IOException, InterruptedException, OtaException {
        URI uri = start;
        boolean sameHost = true;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET();
            headers.forEach(req::header);
            if (authorization != null && sameHost) {
                req.header("Authorization", authorization);
            }
            HttpResponse<InputStream> r = http().send(req.build(), IdleTimeoutBody.handler(settings.timeout()));
            int s = r.statusCode();
            if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
                return r;
            }
            String location = r.headers().firstValue("Location").orElse(null);
            drainSnippet(r);
            if (location == null) {
                throw new OtaException(ErrorCode.REGISTRY_ERROR, "redirect (HTTP " + s + ") from " + uri.getAuthority() + " without a Location");
            }
            URI next = uri.resolve(location);
            if ("https".equals(uri.getScheme()) && !"https".equals(next.getScheme())) {
                throw new OtaException(ErrorCode.REGISTRY_ERROR, "redirect from " + uri + " to " + next + " leaves https; refused");
            }
            // Blob storage behind a redirect gets a signed URL, never the registry's credentials.
            sameHost = sameHost && next.getAuthority().equals(start.getAuthority());
            uri = next;
        }
        throw new OtaException(ErrorCode.REGISTRY_ERROR, "more than " + MAX_REDIRECTS + " redirects fetching " + start);
    }

    private static OtaException statusFailure(int status, URI uri, String what, String snippet) {
        if (status == 404) {
            return new OtaException(ErrorCode.NOT_FOUND, "registry " + uri.getAuthority() + " has no " + what + " (HTTP 404)");
        }
        if (status == 401 || status == 403) {
            return new OtaException(ErrorCode.REGISTRY_ERROR, "registry " + uri.getAuthority() + " refused access to " + what
                    + " (HTTP " + status + ")" + (snippet.isEmpty() ? "" : ": " + snippet));
        }
        return new OtaException(ErrorCode.REGISTRY_ERROR, "tried to fetch " + what + " from " + uri.getAuthority()
                + " but it answered HTTP " + status + (snippet.isEmpty() ? "" : ": " + snippet));
    }

    private static String drainSnippet(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return new String(in.readNBytes(300), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "";
        }
    }

    static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof javax.net.ssl.SSLHandshakeException) {
            return "its TLS certificate is not trusted (" + e.getMessage()
                    + "); give the registry's CA in registryCaBundle";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static SSLContext sslContextTrusting(TransportSettings settings) throws OtaException {
        var bundle = settings.caBundle().orElseThrow();
        try (InputStream in = Files.newInputStream(bundle)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new OtaException(ErrorCode.REGISTRY_ERROR, "CA bundle " + bundle + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new OtaException(ErrorCode.REGISTRY_ERROR, "cannot read CA bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    static Map<String, String> headers(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
