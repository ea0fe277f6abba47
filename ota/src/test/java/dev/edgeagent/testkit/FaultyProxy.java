package dev.edgeagent.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults a real registry cannot produce, in front of one, over real HTTP on loopback: the first response for a
 * blob is cut off part-way (the connection drops), and blob requests can be redirected to a second listener that
 * stands for external blob storage. It counts the blob bytes it sent, and the headers storage was sent.
 */
public final class FaultyProxy implements AutoCloseable {
    private final HttpClient client = HttpClient.newHttpClient();
    private final Registry upstream;
    private final HttpServer front;
    private final HttpServer storage;
    private final AtomicLong blobBytesSent = new AtomicLong();
    private final AtomicInteger cutsLeft;
    private final long cutAfter;
    private final boolean redirectBlobs;
    private boolean requireAuth;
    private final List<String> storageAuthorizations = new CopyOnWriteArrayList<>();
    private final List<String> rangesAsked = new CopyOnWriteArrayList<>();

    public FaultyProxy(Registry upstream, int cuts, long cutAfterBytes, boolean redirectBlobs) throws IOException {
        this.upstream = upstream;
        this.cutsLeft = new AtomicInteger(cuts);
        this.cutAfter = cutAfterBytes;
        this.redirectBlobs = redirectBlobs;
        front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        front.createContext("/", this::front);
        storage.createContext("/", this::storage);
        front.start();
        storage.start();
    }

    /** Makes the front answer 401 with a Basic challenge to any request without credentials. */
    public FaultyProxy requireBasicAuth() {
        requireAuth = true;
        return this;
    }

    public String host() {
        return "127.0.0.1:" + front.getAddress().getPort();
    }

    public long blobBytesSent() {
        return blobBytesSent.get();
    }

    /** The Authorization headers blob storage received (empty strings for none). */
    public List<String> storageAuthorizations() {
        return storageAuthorizations;
    }

    public List<String> rangesAsked() {
        return rangesAsked;
    }

    private void front(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (requireAuth && ex.getRequestHeaders().getFirst("Authorization") == null) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"faulty\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            if (redirectBlobs && path.contains("/blobs/sha256:")) {
                ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + storage.getAddress().getPort() + path);
                ex.sendResponseHeaders(307, -1);
                return;
            }
            forward(ex);
        }
    }

    private void storage(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            storageAuthorizations.add(auth == null ? "" : auth);
            forward(ex);
        }
    }

    private void forward(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + upstream.host() + ex.getRequestURI()));
            for (String h : List.of("Accept", "Range")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    req.header(h, v);
                }
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            boolean blob = path.contains("/blobs/sha256:");
            if (blob) {
                rangesAsked.add(range == null ? "" : range);
            }
            HttpResponse<byte[]> r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            for (String h : List.of("Content-Type", "Content-Range", "Docker-Content-Digest")) {
                r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
            }
            byte[] body = r.body();
            boolean cut = blob && body.length > cutAfter && cutsLeft.getAndDecrement() > 0;
            ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
            if (body.length == 0) {
                return;
            }
            OutputStream out = ex.getResponseBody();
            int n = cut ? (int) cutAfter : body.length;
            out.write(body, 0, n);
            out.flush();
            if (blob) {
                blobBytesSent.addAndGet(n);
            }
            if (cut) {
                // Closing short of the Content-Length makes the server drop the connection mid-body.
                throw new IOException("cut");
            }
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        front.stop(0);
        storage.stop(0);
    }
}
