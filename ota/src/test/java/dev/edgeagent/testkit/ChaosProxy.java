package dev.edgeagent.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * A fault-injecting TCP proxy on loopback in front of a real registry. Each request is passed on with
 * {@code Connection: close}, so one connection carries one exchange and a body ends where the registry closes. For
 * each blob body (HTTP 200 or 206) it draws, from a seeded random, one of: pass it whole; cut the connection at a
 * random byte; stall there (nothing more is sent, the socket stays open until the client gives up); or flip one byte
 * at a random place. It records every blob request with its Range, the fault and the body bytes it let through.
 */
public final class ChaosProxy implements AutoCloseable {
    public enum Fault { NONE, CUT, STALL, CORRUPT }

    /** One blob request as the proxy saw it. {@code from} is the Range start (0 without a Range). */
    public record Exchange(String digest, long from, int status, long bodyLength, Fault fault, long delivered) {}

    private final ServerSocket server;
    private final int upstreamPort;
    private final Random random;
    private final double faultRate;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean faulty = true;

    /** {@code faultRate}: the share of blob bodies that get a fault (split evenly between cut, stall and corrupt). */
    public ChaosProxy(int upstreamPort, long seed, double faultRate) throws IOException {
        this.upstreamPort = upstreamPort;
        this.random = new Random(seed);
        this.faultRate = faultRate;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "chaos-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** From now on every body passes whole (the registry is healthy again). */
    public void heal() {
        faulty = false;
    }

    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    public void clear() {
        exchanges.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "chaos-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private synchronized Fault draw() {
        if (!faulty || random.nextDouble() >= faultRate) {
            return Fault.NONE;
        }
        return Fault.values()[1 + random.nextInt(3)];
    }

    private synchronized long below(long bound) {
        return bound <= 1 ? 0 : (long) (random.nextDouble() * bound);
    }

    private void serve(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            open.add(upstream);
            InputStream fromClient = new BufferedInputStream(client.getInputStream());
            String request = readHead(fromClient);
            if (request == null) {
                return;
            }
            String[] lines = request.split("\r\n");
            String path = lines[0].split(" ")[1];
            long from = 0;
            StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String lower = lines[i].toLowerCase(Locale.ROOT);
                if (lower.startsWith("range: bytes=")) {
                    from = Long.parseLong(lower.substring(13, lower.indexOf('-')));
                }
                // One exchange per connection; no protocol upgrade (the JDK client offers h2c on plain http).
                if (lower.startsWith("connection:") || lower.startsWith("upgrade:") || lower.startsWith("http2-settings:")) {
                    continue;
                }
                forwarded.append(lines[i]).append("\r\n");
            }
            forwarded.append("Connection: close\r\n\r\n");
            OutputStream toUpstream = upstream.getOutputStream();
            toUpstream.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
            toUpstream.flush();

            InputStream fromUpstream = new BufferedInputStream(upstream.getInputStream());
            String response = readHead(fromUpstream);
            if (response == null) {
                return;
            }
            int status = Integer.parseInt(response.split(" ")[1]);
            long length = -1;
            for (String line : response.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).strip());
                }
            }
            OutputStream toClient = client.getOutputStream();
            toClient.write((response + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int blobAt = path.indexOf("/blobs/sha256:");
            boolean blobBody = blobAt >= 0 && (status == 200 || status == 206) && length > 0;
            Fault fault = blobBody ? draw() : Fault.NONE;
            long at = fault == Fault.NONE ? -1 : below(length);
            long bodyFrom = from;
            long bodyLength = length;
            // Recorded before the body's last bytes leave: a client that has them all may act on them (and a test
            // read the exchanges) before this thread runs again.
            pipeBody(fromUpstream, toClient, fault, at, length, delivered -> {
                if (blobBody) {
                    exchanges.add(new Exchange(path.substring(blobAt + 8), bodyFrom, status, bodyLength, fault, delivered));
                }
            });
            if (fault == Fault.STALL) {
                // Hold the connection open, sending nothing, until the client gives up and closes it.
                client.setSoTimeout(0);
                while (client.getInputStream().read() >= 0) {
                    // a client sends nothing more on this connection; wait for its close
                }
            } else {
                client.shutdownOutput(); // a FIN after the bytes sent, never a reset that could lose them
            }
        } catch (IOException e) {
            // a side went away
        }
    }

    /** Pipes a body, calling {@code record} with the bytes it will have let through before it writes the last of them. */
    private static void pipeBody(InputStream in, OutputStream out, Fault fault, long at, long length, LongConsumer record)
            throws IOException {
        byte[] buffer = new byte[8192];
        long sent = 0;
        boolean recorded = false;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if ((fault == Fault.CUT || fault == Fault.STALL) && sent + n > at) {
                record.accept(at);
                out.write(buffer, 0, (int) (at - sent));
                out.flush();
                return;
            }
            if (fault == Fault.CORRUPT && at >= sent && at < sent + n) {
                buffer[(int) (at - sent)] ^= 0x20;
            }
            if (!recorded && length >= 0 && sent + n >= length) {
                record.accept(sent + n);
                recorded = true;
            }
            out.write(buffer, 0, n);
            sent += n;
        }
        out.flush();
        if (!recorded) {
            record.accept(sent);
        }
    }

    /** The bytes up to the blank line that ends an HTTP head, without it; null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) {
                String s = head.toString(StandardCharsets.ISO_8859_1);
                return s.substring(0, s.length() - 4);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
