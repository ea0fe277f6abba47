package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.TestPki;
import dev.edgeagent.testkit.Tools;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real mosquitto that speaks only mutual TLS; keys and certificates are PEM files made by openssl. */
class MqttTlsIT {
    @TempDir
    static Path dir;
    static TestPki pki;
    static Mosquitto broker;

    @BeforeAll
    static void start() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        broker = Mosquitto.startMutualTls(Files.createDirectories(dir.resolve("broker")), pki.ca(), pki.serverCert(), pki.serverKey());
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    private AgentConfig config(String device, Optional<AgentConfig.MqttTls> tls) {
        AgentConfig base = AgentConfig.of(new DeviceId(device), URI.create("ssl://127.0.0.1:" + broker.port()), dir.resolve(device),
                Tools.require("runc", "runc"), dir.resolve(device + "-runc"), java.util.Set.of());
        return new AgentConfig(base.deviceId(), base.broker(), base.root(), base.runtimeBinary(), base.runtimeStateRoot(), base.profile(),
                base.insecureRegistries(), base.registryCaBundle(), base.registryCredentials(), base.maxOrderBytes(), base.logMaxBytes(),
                base.logKeep(), tls, base.groups(), base.localSocket(), base.diskReserveBytes(), base.trust(), base.statusIntervalSeconds());
    }

    @Test
    void connectsWithItsCertificateAndPublishesStatus() throws Exception {
        try (Agent agent = Agent.start(config("tls-device", Optional.of(new AgentConfig.MqttTls(pki.ca(), Optional.of(pki.clientCert()),
                Optional.of(pki.clientKey())))))) {
            String status = Tools.run(List.of(Tools.require("mosquitto_sub", "mosquitto-clients").toString(), "-h", "127.0.0.1",
                    "-p", Integer.toString(broker.port()), "--cafile", pki.ca().toString(), "--cert", pki.clientCert().toString(),
                    "--key", pki.clientKey().toString(), "-t", "edge/tls-device/status", "-C", "1", "-W", "10"), 30)
                    .orThrow("mosquitto_sub over TLS").stdout();
            assertTrue(status.contains("\"device\":\"tls-device\""), status);
        }
    }

    @Test
    void withoutACertificateTheBrokerRefusesAndTheAgentSaysSo() throws Exception {
        Exception e = assertThrows(Exception.class, () -> Agent.start(config("no-cert",
                Optional.of(new AgentConfig.MqttTls(pki.ca(), Optional.empty(), Optional.empty())))).close());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), String.valueOf(e));
        // None of the failed start's threads is left: not the connect made beside the local set-up, nor the one Paho
        // connected on, which waited forever when the broker's refusal ended its receive loop before it looked
        // (HeldFailureSslSocket); a reconnecting device with a refused certificate gained one such thread a minute.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> org.junit.jupiter.api.Assertions
                .assertEquals(List.of(), MqttConnectIT.liveThreads(n -> n.contains("no-cert") || n.equals("mqtt-connect"))));
    }
}
