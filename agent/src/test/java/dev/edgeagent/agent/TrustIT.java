package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.CosignSignatures;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A device provisioned with a trust document, against the real broker and registry: only orders its operator key
 * signed for it, within their validity, with a new sequence number, are done; only images its build key signed
 * for that digest and repository are pulled; and a root-signed rotation over MQTT replaces the operator key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrustIT {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey NEW_OPERATOR = SigningKey.generate(KeyKind.ED25519);
    static final SigningKey BUILDER = SigningKey.generate(KeyKind.ED25519);
    static final SigningKey STRANGER = SigningKey.generate(KeyKind.ECDSA_P256);

    static AgentFixture f;
    static String signedImage;
    static String bundledImage;
    static long sequence = Instant.now().toEpochMilli() * 1000;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("trusted");
        String registry = f.registry.host();
        TrustDocument v1 = document(1, OPERATOR, registry);
        Path trustFile = f.work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, v1.toJson(), List.of(ROOT)).toJson());
        f.trust = new AgentConfig.Trust(Optional.of(trustFile), false);
        f.groups = List.of("north");
        signedImage = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
        new CosignPublisher(RegistryClient.create(TransportSettings.insecure(Set.of(registry)))).sign(ImageRef.parse(signedImage), BUILDER);
        // Signed the cosign 3 way: a Sigstore bundle attached as an OCI referrer (the referrers tag schema here).
        bundledImage = f.registry.pushDemoImage(f.work.resolve("bundled"), "bundled", "bundled");
        new dev.edgeagent.ota.sign.BundlePublisher(RegistryClient.create(TransportSettings.insecure(Set.of(registry))))
                .sign(ImageRef.parse(bundledImage), BUILDER);
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    static TrustDocument document(long version, SigningKey operator, String registry) {
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(ROOT, operator, BUILDER)) {
            keys.put(k.id(), k.publicKey());
        }
        return new TrustDocument(version, Instant.now(), keys, new Role(Set.of(ROOT.id()), 1), new Role(Set.of(operator.id()), 1),
                List.of(new ImageRule(registry + "/*", Optional.of(new Role(Set.of(BUILDER.id()), 1))), new ImageRule("*", Optional.empty())));
    }

    static String signed(String target, String command, String order, SigningKey key, long seq, Instant issued, Duration life) {
        return new String(new SignedOrder(target, command, issued, issued.plus(life), seq, order.getBytes(StandardCharsets.UTF_8))
                .signWith(List.of(key)).toJson(), StandardCharsets.UTF_8);
    }

    static String signed(String command, String order, SigningKey key) {
        return signed("trusted", command, order, key, ++sequence, Instant.now(), Duration.ofMinutes(5));
    }

    static Map<String, Object> send(String command, String wire, String id) throws Exception {
        return f.command(command, wire, id);
    }

    static void assertRefused(String code, Map<String, Object> reply) {
        assertEquals(false, reply.get("ok"), reply.toString());
        assertEquals(code, reply.get("code"), reply.toString());
    }

    static long blobCount() throws IOException {
        Path blobs = f.config.root().resolve("blobs");
        if (!Files.exists(blobs)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(blobs)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("ingest")).count();
        }
    }

    @Test
    @Order(1)
    void anUnsignedOrderIsRefusedAndNothingIsDone() throws Exception {
        Map<String, Object> reply = send("deploy", "{\"id\":\"bare-1\",\"app\":\"demo\",\"image\":\"" + signedImage + "\"}", "bare-1");
        assertRefused("UNSIGNED", reply);
        assertTrue(((String) reply.get("message")).contains("signed by an operator key"), reply.toString());
        assertTrue(f.containers().isEmpty());
    }

    @Test
    @Order(2)
    void ordersSignedByAStrangerForAnotherDeviceOrExpiredAreRefused() throws Exception {
        String ping = "{\"id\":\"%s\"}";
        assertRefused("UNKNOWN_KEY", send("ping", signed("ping", ping.formatted("p-1"), STRANGER), "p-1"));
        assertRefused("WRONG_TARGET", send("ping", signed("other-device", "ping", ping.formatted("p-2"), OPERATOR, ++sequence,
                Instant.now(), Duration.ofMinutes(5)), "p-2"));
        assertRefused("WRONG_TARGET", send("ping", signed("stop", ping.formatted("p-3"), OPERATOR), "p-3"));
        assertRefused("EXPIRED", send("ping", signed("trusted", "ping", ping.formatted("p-4"), OPERATOR, ++sequence,
                Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1)), "p-4"));
        assertEquals(true, send("ping", signed("ping", ping.formatted("p-5"), OPERATOR), "p-5").get("ok"));
    }

    @Test
    @Order(3)
    void anUnsignedImageIsRefusedBeforeAnyBlobIsFetched() throws Exception {
        String unsigned = f.registry.pushDemoImage(f.work.resolve("image-unsigned"), "demo", "unsigned-build");
        long before = blobCount();
        Map<String, Object> reply = send("deploy", signed("deploy",
                "{\"id\":\"d-unsigned\",\"app\":\"demo\",\"image\":\"" + unsigned + "\"}", OPERATOR), "d-unsigned");
        assertRefused("IMAGE_NOT_TRUSTED", reply);
        assertTrue(((String) reply.get("message")).contains("is not signed"), reply.toString());
        assertEquals(before, blobCount(), "no blob of the refused image may be fetched");
        assertTrue(f.containers().isEmpty());
    }

    @Test
    @Order(4)
    void aValidSignatureForAnotherDigestDoesNotCount() throws Exception {
        String other = f.registry.pushDemoImage(f.work.resolve("image-other"), "demo", "other-build");
        // The registry serves, at the other image's signature tag, the genuine signature manifest of the signed image.
        String registry = "http://" + f.registry.host() + "/v2/demo/manifests/";
        HttpClient http = HttpClient.newHttpClient();
        String accept = "application/vnd.oci.image.manifest.v1+json";
        byte[] genuine = http.send(HttpRequest.newBuilder(URI.create(registry + CosignSignatures.tagFor(ImageRef.parse(signedImage).requireDigest())))
                .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(registry + CosignSignatures.tagFor(ImageRef.parse(other).requireDigest())))
                .header("Content-Type", accept).PUT(HttpRequest.BodyPublishers.ofByteArray(genuine)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());

        Map<String, Object> reply = send("deploy", signed("deploy",
                "{\"id\":\"d-other\",\"app\":\"demo\",\"image\":\"" + other + "\"}", OPERATOR), "d-other");
        assertRefused("IMAGE_NOT_TRUSTED", reply);
        assertTrue(((String) reply.get("message")).contains("signed digest " + ImageRef.parse(signedImage).requireDigest()), reply.toString());
    }

    @Test
    @Order(5)
    void anImageSignedWithASigstoreBundleAsAReferrerIsDeployed() throws Exception {
        Map<String, Object> deployed = send("deploy", signed("deploy",
                "{\"id\":\"d-bundle\",\"app\":\"bundled\",\"image\":\"" + bundledImage + "\",\"restart\":\"no\"}", OPERATOR), "d-bundle");
        assertEquals(true, deployed.get("ok"), deployed.toString());
        f.discard("bundled-1");
    }

    @Test
    @Order(5)
    void aSignedImageDeployedBySignedOrderRunsAndAReplayedOrderIsNotDoneAgainEvenAfterARestart() throws Exception {
        Map<String, Object> deployed = send("deploy", signed("deploy",
                "{\"id\":\"d-ok\",\"app\":\"demo\",\"image\":\"" + signedImage + "\",\"restart\":\"no\"}", OPERATOR), "d-ok");
        assertEquals(true, deployed.get("ok"), deployed.toString());

        String stop = signed("stop", "{\"id\":\"s-1\",\"app\":\"demo\"}", OPERATOR);
        assertEquals(true, send("stop", stop, "s-1").get("ok"));
        assertEquals(true, send("start", signed("start", "{\"id\":\"st-1\",\"app\":\"demo\"}", OPERATOR), "st-1").get("ok"));

        f.stopAgent();
        f.startAgent();
        // The recorded stop, played again: answered from the record, and the app keeps running.
        Map<String, Object> replayed = send("stop", stop, "s-1");
        assertEquals(true, replayed.get("ok"), replayed.toString());
        Map<String, Object> inspect = send("inspect", signed("inspect", "{\"id\":\"i-1\",\"app\":\"demo\"}", OPERATOR), "i-1");
        assertEquals("RUNNING", ((Map<?, ?>) inspect.get("result")).get("phase"), inspect.toString());

        // A new order carrying a used sequence number is a replay, whatever its id.
        String stale = signed("trusted", "stop", "{\"id\":\"s-2\",\"app\":\"demo\"}", OPERATOR, sequence - 1, Instant.now(), Duration.ofMinutes(5));
        assertRefused("REPLAYED", send("stop", stale, "s-2"));
        inspect = send("inspect", signed("inspect", "{\"id\":\"i-2\",\"app\":\"demo\"}", OPERATOR), "i-2");
        assertEquals("RUNNING", ((Map<?, ?>) inspect.get("result")).get("phase"), inspect.toString());
        f.discard("demo-1");
    }

    @Test
    @Order(6)
    void aRootSignedRotationOverMqttReplacesTheOperatorKey() throws Exception {
        TrustDocument v2 = document(2, NEW_OPERATOR, f.registry.host());
        // Signed by the operator instead of the root: refused, and v1 stays in force.
        f.mqtt.publishRetained("edge/trusted/trust", new String(Envelope.sign(TrustDocument.PAYLOAD_TYPE, v2.toJson(), List.of(OPERATOR)).toJson(),
                StandardCharsets.UTF_8));
        Map<String, Object> refused = f.event("-", "trust.refused", 20);
        assertEquals("UNKNOWN_KEY", refused.get("code"), refused.toString());
        assertEquals(true, send("ping", signed("ping", "{\"id\":\"r-0\"}", OPERATOR), "r-0").get("ok"));

        f.mqtt.publishRetained("edge/trusted/trust", new String(Envelope.sign(TrustDocument.PAYLOAD_TYPE, v2.toJson(), List.of(ROOT)).toJson(),
                StandardCharsets.UTF_8));
        Map<String, Object> accepted = f.event("-", "trust.accepted", 20);
        assertEquals(2, ((Number) accepted.get("version")).intValue(), accepted.toString());

        assertRefused("UNKNOWN_KEY", send("ping", signed("ping", "{\"id\":\"r-1\"}", OPERATOR), "r-1"));
        assertEquals(true, send("ping", signed("ping", "{\"id\":\"r-2\"}", NEW_OPERATOR), "r-2").get("ok"));

        // After a restart the device keeps v2, though its config still names the v1 file.
        f.stopAgent();
        f.startAgent();
        assertRefused("UNKNOWN_KEY", send("ping", signed("ping", "{\"id\":\"r-3\"}", OPERATOR), "r-3"));
        Map<String, Object> status = f.status("\"version\":2");
        Map<?, ?> trust = (Map<?, ?>) status.get("trust");
        assertEquals("signed", trust.get("mode"), trust.toString());
        assertEquals(2, ((Number) trust.get("version")).intValue(), trust.toString());
        assertEquals(false, trust.get("expired"), trust.toString());
        assertEquals(List.of(), trust.get("revokedImages"), trust.toString());
        assertFalse(Files.readString(f.config.root().resolve("trust/trust.json")).isEmpty());
    }

    @Test
    @Order(7)
    void aDesiredStateMustBeSignedForTheTargetItNames() throws Exception {
        String bare = "{\"version\":1,\"target\":\"trusted\",\"apps\":[]}";
        f.mqtt.publishRetained("edge/trusted/desired", bare);
        Map<String, Object> refused = f.event("-", "desired.refused", 20);
        assertEquals("UNSIGNED", refused.get("code"), refused.toString());
        f.mqtt.publishRetained("edge/trusted/desired", "");

        String mislabelled = signed("group:north", "desired", "{\"version\":1,\"target\":\"trusted\",\"apps\":[]}", NEW_OPERATOR,
                ++sequence, Instant.now(), Duration.ofDays(1));
        f.mqtt.publishRetained("edge/group/north/desired", mislabelled);
        refused = f.event("-", "desired.refused", 20);
        assertEquals("WRONG_TARGET", refused.get("code"), refused.toString());

        String good = signed("group:north", "desired", "{\"version\":1,\"target\":\"group:north\",\"apps\":[]}", NEW_OPERATOR,
                ++sequence, Instant.now(), Duration.ofDays(1));
        f.mqtt.publishRetained("edge/group/north/desired", good);
        Map<String, Object> applied = f.event("-", "desired.applied", 30);
        assertEquals(1, ((Number) applied.get("version")).intValue(), applied.toString());
        assertTrue(f.containers().isEmpty());
        f.mqtt.publishRetained("edge/group/north/desired", "");
    }

    /** v{version}: NEW_OPERATOR orders; the registry's images must be signed by {@code builder}. */
    static byte[] rotation(long version, SigningKey builder, TrustDocument.RevokedImages policy) {
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(ROOT, NEW_OPERATOR, builder)) {
            keys.put(k.id(), k.publicKey());
        }
        TrustDocument d = new TrustDocument(version, Instant.now(), keys, new Role(Set.of(ROOT.id()), 1), new Role(Set.of(NEW_OPERATOR.id()), 1),
                List.of(new ImageRule(f.registry.host() + "/*", Optional.of(new Role(Set.of(builder.id()), 1))), new ImageRule("*", Optional.empty())),
                Optional.of(Instant.now().plus(Duration.ofDays(365))), policy);
        return Envelope.sign(TrustDocument.PAYLOAD_TYPE, d.toJson(), List.of(ROOT)).toJson();
    }

    @Test
    @Order(8)
    void aRotationThatRevokesTheBuildKeyOfARunningImageIsReportedThenStopsItWhereThePolicySaysSo() throws Exception {
        Map<String, Object> deployed = send("deploy", signed("deploy",
                "{\"id\":\"d-kept\",\"app\":\"kept\",\"image\":\"" + signedImage + "\",\"restart\":\"no\"}", NEW_OPERATOR), "d-kept");
        assertEquals(true, deployed.get("ok"), deployed.toString());

        SigningKey newBuilder = SigningKey.generate(KeyKind.ED25519);
        f.mqtt.publishRetained("edge/trusted/trust", new String(rotation(3, newBuilder, TrustDocument.RevokedImages.REPORT), StandardCharsets.UTF_8));
        Map<String, Object> revoked = f.event("kept", "trust.revoked-image", 20);
        assertEquals("report", revoked.get("action"), revoked.toString());
        assertEquals(3, ((Number) revoked.get("version")).intValue(), revoked.toString());
        assertTrue(((String) revoked.get("reason")).contains(BUILDER.id().shortForm()), revoked.toString());
        Map<?, ?> trust = (Map<?, ?>) f.status("\"version\":3").get("trust");
        assertEquals(List.of("kept"), trust.get("revokedImages"), trust.toString());
        Map<String, Object> inspect = send("inspect", signed("inspect", "{\"id\":\"i-kept-1\",\"app\":\"kept\"}", NEW_OPERATOR), "i-kept-1");
        assertEquals("RUNNING", ((Map<?, ?>) inspect.get("result")).get("phase"), inspect.toString());

        f.mqtt.publishRetained("edge/trusted/trust", new String(rotation(4, newBuilder, TrustDocument.RevokedImages.STOP), StandardCharsets.UTF_8));
        revoked = f.event("kept", "trust.revoked-image", 20);
        assertEquals("stop", revoked.get("action"), revoked.toString());
        inspect = send("inspect", signed("inspect", "{\"id\":\"i-kept-2\",\"app\":\"kept\"}", NEW_OPERATOR), "i-kept-2");
        assertEquals("STOPPED", ((Map<?, ?>) inspect.get("result")).get("phase"), inspect.toString());
        f.mqtt.publishRetained("edge/trusted/trust", "");
    }
}
