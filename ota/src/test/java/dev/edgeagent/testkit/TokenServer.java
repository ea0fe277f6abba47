package dev.edgeagent.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A token service for a real docker-registry configured with token auth: it issues RS256 JWTs carrying the
 * signing certificate (x5c). Repositories under {@code public/} may be pulled anonymously; everything else needs
 * the one configured user. Its key and self-signed certificate come from the real openssl.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "edge-test-registry";
    public static final String ISSUER = "edge-test-issuer";

    private final HttpServer server;
    private final PrivateKey key;
    private final String certBase64;
    private final Path certPem;
    private final String user;
    private final String password;
    private int issued;

    public TokenServer(Path dir, String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        Path keyPem = dir.resolve("token-key.pem");
        certPem = dir.resolve("token-cert.pem");
        Tools.run(List.of(Tools.require("openssl", "openssl").toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", keyPem.toString(), "-out", certPem.toString(), "-days", "2", "-subj", "/CN=" + ISSUER), 60)
                .orThrow("openssl req");
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(keyPem)));
        certBase64 = Base64.getEncoder().encodeToString(pemBody(certPem));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/token", this::issue);
        server.start();
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificate() {
        return certPem;
    }

    public synchronized int tokensIssued() {
        return issued;
    }

    private void issue(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean authenticated = auth != null && auth.equals("Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            if (auth != null && !authenticated) {
                respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
            List<Object> access = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String param : query == null ? new String[0] : query.split("&")) {
                if (!param.startsWith("scope=")) {
                    continue;
                }
                String[] scope = URLDecoder.decode(param.substring(6), StandardCharsets.UTF_8).split(":");
                String repository = scope[1];
                List<String> actions = List.of(scope[2].split(","));
                if (!authenticated) {
                    if (!repository.startsWith("public/")) {
                        respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                        return;
                    }
                    actions = actions.contains("pull") ? List.of("pull") : List.of();
                }
                access.add(Map.of("type", scope[0], "name", repository, "actions", actions));
            }
            respond(exchange, 200, "{\"token\":\"" + jwt(access) + "\"}");
            synchronized (this) {
                issued++;
            }
        } catch (Exception e) {
            respond(exchange, 500, "{\"error\":\"" + e + "\"}");
        }
    }

    private String jwt(List<Object> access) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.put("x5c", List.of(certBase64));
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", user);
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(Json.compact(header)) + "." + b64.encodeToString(Json.compact(claims));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] pemBody(Path pem) throws IOException {
        String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(text);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
