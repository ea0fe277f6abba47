package dev.edgeagent.agent.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.AgentConfig;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.TestPki;
import dev.edgeagent.testkit.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgeagent provision} against a real mosquitto that speaks only mutual TLS, with openssl-made PEM files. */
class ProvisionIT {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki stranger;
    static Mosquitto broker;
    static Path trust;

    @BeforeAll
    static void start() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        stranger = TestPki.create(Files.createDirectories(dir.resolve("stranger")));
        broker = Mosquitto.startMutualTls(Files.createDirectories(dir.resolve("broker")), pki.ca(), pki.serverCert(), pki.serverKey());
        SigningKey root = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey operator = SigningKey.generate(KeyKind.ECDSA_P256);
        TrustDocument doc = new TrustDocument(1, Instant.now(), Map.of(root.id(), root.publicKey(), operator.id(), operator.publicKey()),
                new Role(Set.of(root.id()), 1), new Role(Set.of(operator.id()), 1), List.of());
        trust = Files.write(dir.resolve("trust.json"), Envelope.sign(TrustDocument.PAYLOAD_TYPE, doc.toJson(), List.of(root)).toJson());
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    record Outcome(int exit, String out, String err) {}

    /** Runs the real edgeagent jar's main class in a child JVM, as the installed command would. */
    static Outcome provision(Path etc, String... overrides) throws Exception {
        List<String> a = new ArrayList<>(List.of("--device-id", "tls-device", "--broker", "ssl://127.0.0.1:" + broker.port(),
                "--ca", pki.ca().toString(), "--cert", pki.clientCert().toString(), "--key", pki.clientKey().toString(),
                "--trust", trust.toString(), "--config", etc.resolve("config.json").toString(), "--group", "north"));
        a.addAll(List.of(overrides));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.edgeagent.agent.Main", "provision"));
        cmd.addAll(a);
        Tools.Result r = Tools.run(cmd, 120);
        return new Outcome(r.exit(), r.stdout(), r.stderr());
    }

    static List<String> files(Path etc) throws Exception {
        if (!Files.exists(etc)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(etc)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAConfigurationTheAgentLoadsWithCopiesOfTheFiles() throws Exception {
        Path etc = dir.resolve("etc-ok");
        Outcome r = provision(etc);
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("connected to ssl://127.0.0.1:" + broker.port() + " as tls-device"), r.out());
        assertTrue(r.out().contains("wrote " + etc.resolve("config.json")), r.out());
        assertEquals(List.of("ca.pem", "config.json", "device.key", "device.pem", "trust.json"), files(etc));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("config.json"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("device.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(etc)));
        AgentConfig c = AgentConfig.load(etc.resolve("config.json"));
        assertEquals("tls-device", c.deviceId().value());
        assertEquals(List.of("north"), c.groups());
        assertEquals(Optional.of(etc.resolve("trust.json")), c.trust().document());
        assertEquals(etc.resolve("device.key"), c.mqttTls().orElseThrow().key().orElseThrow());
        assertEquals(Files.readString(pki.clientKey()), Files.readString(etc.resolve("device.key")));

        Outcome again = provision(etc);
        assertEquals(ProvisionException.EXISTS, again.exit(), again.err());
        assertTrue(again.err().contains("exists already; give --force to replace it"), again.err());
        Outcome forced = provision(etc, "--force", "--group", "south");
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(List.of("north", "south"), AgentConfig.load(etc.resolve("config.json")).groups());
    }

    void refused(int exit, String message, String... overrides) throws Exception {
        Path etc = dir.resolve("etc-" + System.nanoTime());
        Outcome r = provision(etc, overrides);
        assertEquals(exit, r.exit(), r.err() + r.out());
        assertTrue(r.err().contains(message), r.err());
        assertTrue(r.err().endsWith("nothing was written\n") || exit == ProvisionException.USAGE, r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals(List.of(), files(etc));
        assertFalse(Files.exists(etc));
    }

    @Test
    void eachBadFileIsNamedAndNothingIsWritten() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        refused(ProvisionException.BAD_FILE, "--ca " + dir.resolve("missing.pem") + " cannot be read: no such file",
                "--ca", dir.resolve("missing.pem").toString());
        refused(ProvisionException.BAD_FILE, notPem + " holds no PEM certificate", "--cert", notPem.toString());
        refused(ProvisionException.BAD_FILE, notPem + " holds no unencrypted PEM private key", "--key", notPem.toString());
        refused(ProvisionException.BAD_FILE, "does not belong to the certificate", "--key", stranger.clientKey().toString());
        refused(ProvisionException.BAD_FILE, "is not a trust document signed by its own root keys", "--trust", notPem.toString());
        refused(ProvisionException.BAD_FILE, "--profile no-such-profile", "--profile", "no-such-profile");
        refused(ProvisionException.USAGE, "--broker must be ssl://HOST:PORT", "--broker", "tcp://127.0.0.1:1883");
    }

    @Test
    void aBrokerThatCannotBeReachedOrRefusesIsExit3() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        refused(ProvisionException.BROKER, "could not connect to ssl://127.0.0.1:" + closed, "--broker", "ssl://127.0.0.1:" + closed);
        // A broker whose certificate the given CA did not sign: the device would never connect, so nothing is kept.
        refused(ProvisionException.BROKER, "could not connect", "--ca", stranger.ca().toString(), "--cert",
                stranger.clientCert().toString(), "--key", stranger.clientKey().toString());
        // The broker refuses the device's certificate (another CA signed it): under TLS 1.3 the device learns it only
        // after its handshake, from the broker's alert; it is still exit 3, at once, with nothing kept.
        refused(ProvisionException.BROKER, "could not connect", "--cert", stranger.clientCert().toString(), "--key",
                stranger.clientKey().toString());
        // The name in the broker's certificate is 127.0.0.1, not localhost.
        refused(ProvisionException.BROKER, "could not connect", "--broker", "ssl://localhost:" + broker.port());
    }
}
