package dev.edgeagent.ota.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures whose bytes come from an independent implementation: a key made by openssl, the payload signed with
 * {@code openssl dgst -sha256 -sign}, and the cosign layout pushed by plain HTTP calls written here from cosign's
 * format (not by {@link CosignPublisher}); the agent's verifier, against the real registry, accepts it and refuses
 * the same layout with a changed payload or signature.
 */
class CosignInteropIT {
    @TempDir
    Path dir;

    @Test
    void anOpensslSignatureInTheCosignLayoutIsVerified() throws Exception {
        try (Registry registry = Registry.start(Files.createDirectories(dir.resolve("registry")))) {
            String image = registry.pushDemoImage(dir.resolve("image"), "apps/demo");
            ImageRef ref = ImageRef.parse(image);
            Digest digest = ref.requireDigest();
            String repository = registry.host() + "/apps/demo";

            Path key = dir.resolve("build.pem");
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
            openssl("pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve("build.pub").toString());
            // The payload exactly as cosign 2.x writes it.
            String payload = "{\"critical\":{\"identity\":{\"docker-reference\":\"" + repository + "\"},\"image\":{\"docker-manifest-digest\":\""
                    + digest + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
            Path payloadFile = dir.resolve("payload.json");
            Files.writeString(payloadFile, payload);
            Path sig = dir.resolve("payload.sig");
            openssl("dgst", "-sha256", "-sign", key.toString(), "-out", sig.toString(), payloadFile.toString());
            String signature = Base64.getEncoder().encodeToString(Files.readAllBytes(sig));

            VerificationKey pub = KeyPem.readPublic(Files.readString(dir.resolve("build.pub")));
            SigningKey root = SigningKey.generate(KeyKind.ED25519);
            TrustDocument trust = new TrustDocument(1, Instant.now(), Map.of(pub.id(), pub, root.id(), root.publicKey()),
                    new Role(Set.of(root.id()), 1), new Role(Set.of(root.id()), 1),
                    List.of(new ImageRule(registry.host() + "/apps/*", Optional.of(new Role(Set.of(pub.id()), 1)))));
            RegistryClient client = RegistryClient.create(TransportSettings.insecure(Set.of(registry.host())));
            CosignVerifier verifier = new CosignVerifier(client, () -> trust);

            pushSignature(registry.host(), digest, payload.getBytes(StandardCharsets.UTF_8), signature);
            verifier.check(ref, digest);

            byte[] raw = Base64.getDecoder().decode(signature);
            raw[raw.length - 1] ^= 1;
            pushSignature(registry.host(), digest, payload.getBytes(StandardCharsets.UTF_8), Base64.getEncoder().encodeToString(raw));
            OtaException e = assertThrows(OtaException.class, () -> verifier.check(ref, digest));
            assertEquals(ErrorCode.IMAGE_NOT_TRUSTED, e.code());
            assertTrue(e.getMessage().contains("verifies against the keys trusted"), e.getMessage());

            // A payload the signature was not made over (another type): the signature no longer verifies.
            pushSignature(registry.host(), digest, payload.replace("cosign container image signature", "x").getBytes(StandardCharsets.UTF_8), signature);
            assertEquals(ErrorCode.IMAGE_NOT_TRUSTED, assertThrows(OtaException.class, () -> verifier.check(ref, digest)).code());
            assertTrue(KeyId.of(pub.key()).equals(pub.id()));
        }
    }

    private static void pushSignature(String host, Digest image, byte[] payload, String signature) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://" + host + "/v2/apps/demo/";
        byte[] config = "{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
        for (byte[] blob : List.of(payload, config)) {
            HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base + "blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            URI put = URI.create(base).resolve(start.headers().firstValue("Location").orElseThrow());
            HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(put + (put.getQuery() == null ? "?" : "&") + "digest=" + Digest.sha256Of(blob)))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, done.statusCode(), done.body());
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length + ",\"digest\":\"" + Digest.sha256Of(config) + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":" + payload.length + ",\"digest\":\""
                + Digest.sha256Of(payload) + "\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"" + signature + "\"}}]}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "manifests/sha256-" + image.hex() + ".sig"))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofString(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Tools.require("openssl", "openssl").toString()));
        cmd.addAll(List.of(args));
        Tools.run(cmd, 60).orThrow("openssl");
    }
}
