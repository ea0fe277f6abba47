package dev.edgeagent.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy between the agent and its broker that can turn into a black hole: {@link #freeze()} stops
 * forwarding in both directions but holds every socket open (nothing answers, nothing resets), as a frozen broker or
 * a dead link behind a NAT does. It keeps the first bytes the client sent (its CONNECT) for the test to read.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream firstFromClient = new ByteArrayOutputStream();
    private volatile boolean frozen;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    /** From now on nothing is forwarded, and every connection stays open. */
    void freeze() {
        frozen = true;
    }

    /** The bytes the first client sent first (up to 4 KiB): its MQTT CONNECT packet. */
    byte[] firstBytesFromClient() {
        synchronized (firstFromClient) {
            return firstFromClient.toByteArray();
        }
    }

    private void accept() {
        boolean first = true;
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(broker);
                pump(client.getInputStream(), broker.getOutputStream(), first);
                pump(broker.getInputStream(), client.getOutputStream(), false);
                first = false;
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(InputStream in, OutputStream out, boolean capture) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    while (frozen) {
                        Thread.sleep(50); // holds what it read, forever: a black hole
                    }
                    if (capture) {
                        synchronized (firstFromClient) {
                            if (firstFromClient.size() < 4096) {
                                firstFromClient.write(buffer, 0, Math.min(n, 4096 - firstFromClient.size()));
                            }
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
                if (!frozen) {
                    close(); // one side went away: the other sees the connection end, as without a proxy
                }
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes every connection and stops listening: the broker is gone. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
