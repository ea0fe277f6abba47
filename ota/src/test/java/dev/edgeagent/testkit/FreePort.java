package dev.edgeagent.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loopback port free at the moment of asking, below Linux's ephemeral range (32768 and up): a port the kernel
 * hands out to outgoing connections could be taken by one before the server that asked for it binds it.
 */
public final class FreePort {
    private FreePort() {}

    public static int pick() throws IOException {
        for (int i = 0; i < 200; i++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 32000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port between 20000 and 32000");
    }
}
