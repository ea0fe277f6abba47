package dev.edgeagent.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real mosquitto broker on a free loopback port, with its own config in {@code dir}. */
public final class Mosquitto extends ServerProcess {
    private Mosquitto(Path config, Path dir, int port) throws IOException, InterruptedException {
        super("mosquitto", List.of(Tools.require("mosquitto", "mosquitto").toString(), "-c", config.toString()), dir, port);
    }

    public static Mosquitto start(Path dir) throws IOException, InterruptedException {
        return start(dir, FreePort.pick());
    }

    /**
     * A broker on {@code port} that keeps its sessions in {@code dir} across restarts (saved when it stops), so a
     * test can stop it and start it again where clients expect it. {@code user root}: started as root, mosquitto
     * otherwise drops to the user "mosquitto", which cannot write its database into the test's root-owned folder; it
     * then loses every session and queued message at each restart ("Error saving in-memory database … Permission
     * denied" in its log).
     */
    public static Mosquitto start(Path dir, int port) throws IOException, InterruptedException {
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                + "persistence_location " + dir + "/\nautosave_interval 0\nuser root\n");
        return new Mosquitto(config, dir, port);
    }

    /** A broker that speaks only TLS and requires a client certificate signed by {@code ca} (mutual TLS). */
    public static Mosquitto startMutualTls(Path dir, Path ca, Path cert, Path key) throws IOException, InterruptedException {
        int port = FreePort.pick();
        Path config = dir.resolve("mosquitto-tls.conf");
        Files.writeString(config, "listener " + port + " 127.0.0.1\ncafile " + ca + "\ncertfile " + cert + "\nkeyfile " + key
                + "\nrequire_certificate true\nallow_anonymous true\npersistence false\n");
        return new Mosquitto(config, dir, port);
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }
}
