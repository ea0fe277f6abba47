package dev.edgeagent.testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Predicate;

/**
 * A fault the real registry cannot produce: it forwards to a real registry over HTTP but flips one byte in the body
 * of every response whose path matches {@code corrupt}. Real HTTP, on loopback.
 */
public final class LyingRegistry implements AutoCloseable {
    private final HttpServer server;

    public LyingRegistry(Registry upstream, Predicate<String> corrupt) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + upstream.host() + exchange.getRequestURI()));
                String accept = exchange.getRequestHeaders().getFirst("Accept");
                if (accept != null) {
                    req.header("Accept", accept);
                }
                HttpResponse<byte[]> r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] body = r.body();
                if (r.statusCode() == 200 && corrupt.test(exchange.getRequestURI().getPath()) && body.length > 0) {
                    body = body.clone();
                    body[body.length / 2] ^= 0x01;
                }
                r.headers().firstValue("Content-Type").ifPresent(ct -> exchange.getResponseHeaders().set("Content-Type", ct));
                exchange.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
