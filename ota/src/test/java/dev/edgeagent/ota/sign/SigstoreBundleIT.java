package dev.edgeagent.ota.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.CertificatePem;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.KeylessIdentity;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.SigstoreRoots;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.testkit.ReferrerPush;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.SigstoreJs;
import dev.edgeagent.testkit.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sigstore bundles written by Sigstore's own libraries (@sigstore/sign with a mock Fulcio and Rekor from
 * @sigstore/mock, all offline), attached to images in the real docker-registry with the referrers tag schema,
 * and checked by the agent's verifier: what it accepts and, for each refusal, that the message names what failed.
 */
class SigstoreBundleIT {
    static final String ISSUER = "https://token.actions.githubusercontent.com";
    static final String SUBJECT = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";

    @TempDir
    static Path dir;
    static Registry registry;
    static SigstoreJs sigstore;
    static ImageRef image;
    static ImageRef other;
    static RegistryClient client;

    @BeforeAll
    static void start() throws Exception {
        sigstore = SigstoreJs.require();
        registry = Registry.start(Files.createDirectories(dir.resolve("registry")));
        image = ImageRef.parse(registry.pushDemoImage(dir.resolve("image"), "apps/demo", "one"));
        other = ImageRef.parse(registry.pushDemoImage(dir.resolve("other"), "apps/demo", "two"));
        client = RegistryClient.create(TransportSettings.insecure(Set.of(registry.host())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aKeyedBundleFromSigstoreJsIsVerifiedAndAnotherKeyIsRefused() throws Exception {
        Path key = dir.resolve("build.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        openssl("pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve("build.pub").toString());
        VerificationKey pub = KeyPem.readPublic(Files.readString(dir.resolve("build.pub")));
        Map<String, Object> req = request("keyed", statement(image.requireDigest()));
        req.put("keyed", Map.of("privateKeyPem", key.toString(), "publicKeyPem", dir.resolve("build.pub").toString()));
        byte[] bundle = sigstore.bundle(dir, req);
        ReferrerPush.attachOnly(registry.host(), "apps/demo", image.requireDigest(), bundle);

        assertEquals(Set.of(pub.id()), verifier(keyedTrust(pub)).check(image, image.requireDigest()));

        VerificationKey stranger = SigningKey.generate(KeyKind.ECDSA_P256).publicKey();
        assertRefused(keyedTrust(stranger), image, "wrong key");
    }

    @Test
    void aKeylessBundleFromAnAllowedIdentityIsVerifiedAndEachForgeryIsRefusedByName() throws Exception {
        Map<String, Object> req = request("keyless", statement(image.requireDigest()));
        req.put("keyless", Map.of("issuer", ISSUER, "subject", SUBJECT));
        byte[] bundle = sigstore.bundle(dir, req);
        SigstoreRoots roots = roots((String) req.get("trustOut"));
        Digest digest = image.requireDigest();

        ReferrerPush.attachOnly(registry.host(), "apps/demo", digest, bundle);
        assertEquals(Set.of(), verifier(keylessTrust(roots, KeylessIdentity.exact(ISSUER, SUBJECT))).check(image, digest));
        // A pattern over the subject is allowed too.
        verifier(keylessTrust(roots, new KeylessIdentity(ISSUER, false, "https://github\\.com/acme/.*", true))).check(image, digest);

        // Another identity.
        assertRefused(keylessTrust(roots, KeylessIdentity.exact(ISSUER, "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main")),
                image, "identity not allowed");
        // Pinned roots from another Fulcio: the chain does not validate.
        Map<String, Object> elsewhere = request("elsewhere", statement(digest));
        elsewhere.put("keyless", Map.of("issuer", ISSUER, "subject", SUBJECT));
        sigstore.bundle(dir, elsewhere);
        SigstoreRoots otherRoots = roots((String) elsewhere.get("trustOut"));
        assertRefused(keylessTrust(new SigstoreRoots(otherRoots.fulcio(), roots.rekor()), KeylessIdentity.exact(ISSUER, SUBJECT)), image,
                "certificate chain");

        TrustDocument trust = keylessTrust(roots, KeylessIdentity.exact(ISSUER, SUBJECT));
        // A tampered statement (its subject changed to the other image): the signature no longer verifies.
        Map<String, Object> tampered = Json.object(bundle);
        Map<String, Object> env = cast(tampered.get("dsseEnvelope"));
        env.put("payload", Base64.getEncoder().encodeToString(statement(other.requireDigest()).getBytes(StandardCharsets.UTF_8)));
        ReferrerPush.attachOnly(registry.host(), "apps/demo", other.requireDigest(), Json.compact(tampered));
        assertRefused(trust, other, "signature invalid");

        // The genuine bundle of the first image copied onto the second.
        ReferrerPush.attachOnly(registry.host(), "apps/demo", other.requireDigest(), bundle);
        assertRefused(trust, other, "subject digest mismatch");

        // A forged Rekor entry: the log time moved, so the signed entry timestamp no longer verifies.
        Map<String, Object> forged = Json.object(bundle);
        Map<String, Object> entry = cast(((List<?>) cast(forged.get("verificationMaterial")).get("tlogEntries")).get(0));
        entry.put("integratedTime", String.valueOf(Long.parseLong((String) entry.get("integratedTime")) - 3600));
        ReferrerPush.attachOnly(registry.host(), "apps/demo", digest, Json.compact(forged));
        assertRefused(trust, image, "Rekor proof");
    }

    @Test
    void anExpiredCertificateWithoutALogProofIsRefused() throws Exception {
        Map<String, Object> req = request("expired", statement(image.requireDigest()));
        Map<String, Object> keyless = new LinkedHashMap<>(Map.of("issuer", ISSUER, "subject", SUBJECT, "rekor", false));
        keyless.put("clock", Instant.now().minusSeconds(3600).toString());
        req.put("keyless", keyless);
        byte[] bundle = sigstore.bundle(dir, req);
        ReferrerPush.attachOnly(registry.host(), "apps/demo", image.requireDigest(), bundle);
        String message = assertRefused(keylessTrust(roots((String) req.get("trustOut")), KeylessIdentity.exact(ISSUER, SUBJECT)), image,
                "certificate chain");
        assertTrue(message.contains("no Rekor entry"), message);
    }

    @Test
    void twoBuildKeysPublishBundlesThatTheReferrersIndexKeepsSideBySide() throws Exception {
        ImageRef built = ImageRef.parse(registry.pushDemoImage(dir.resolve("built"), "apps/built", "four"));
        SigningKey a = SigningKey.generate(KeyKind.ECDSA_P256);
        SigningKey b = SigningKey.generate(KeyKind.ED25519);
        BundlePublisher publisher = new BundlePublisher(client);
        BundlePublisher.Published first = publisher.sign(built, a);
        assertEquals(registry.host() + "/apps/built:sha256-" + built.requireDigest().hex(), first.listedAt());
        SigningKey root = SigningKey.generate(KeyKind.ED25519);
        TrustDocument both = new TrustDocument(1, Instant.now(), Map.of(a.id(), a.publicKey(), b.id(), b.publicKey(), root.id(),
                root.publicKey()), new Role(Set.of(root.id()), 1), new Role(Set.of(root.id()), 1),
                List.of(new ImageRule(registry.host() + "/apps/*", Optional.of(new Role(Set.of(a.id(), b.id()), 2)))));
        assertRefused(both, built, "1 valid signature(s)");
        publisher.sign(built, b);
        assertEquals(Set.of(a.id(), b.id()), verifier(both).check(built, built.requireDigest()));

        // The index at the tag schema's tag lists both bundle manifests with the bundle artifact type, as the spec says.
        Map<String, Object> index = Json.object(client.manifestAtTag(built, "sha256-" + built.requireDigest().hex()).orElseThrow().bytes());
        List<?> manifests = (List<?>) index.get("manifests");
        assertEquals(2, manifests.size(), index.toString());
        for (Object m : manifests) {
            assertEquals("application/vnd.dev.sigstore.bundle.v0.3+json", cast(m).get("artifactType"));
        }
    }

    @Test
    void anImageWithNoSignatureAtAllIsRefusedAsUnsigned() throws Exception {
        ImageRef bare = ImageRef.parse(registry.pushDemoImage(dir.resolve("bare"), "apps/bare", "three"));
        VerificationKey k = SigningKey.generate(KeyKind.ECDSA_P256).publicKey();
        assertRefused(keyedTrust(k), bare, "is not signed");
    }

    private static String assertRefused(TrustDocument trust, ImageRef ref, String what) {
        OtaException e = assertThrows(OtaException.class, () -> verifier(trust).check(ref, ref.requireDigest()));
        assertEquals(ErrorCode.IMAGE_NOT_TRUSTED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(what), "expected '" + what + "' in: " + e.getMessage());
        return e.getMessage();
    }

    private static CosignVerifier verifier(TrustDocument trust) {
        return new CosignVerifier(client, () -> trust);
    }

    private static TrustDocument keyedTrust(VerificationKey signer) {
        SigningKey root = SigningKey.generate(KeyKind.ED25519);
        return new TrustDocument(1, Instant.now(), Map.of(signer.id(), signer, root.id(), root.publicKey()), new Role(Set.of(root.id()), 1),
                new Role(Set.of(root.id()), 1), List.of(new ImageRule(registry.host() + "/apps/*", Optional.of(new Role(Set.of(signer.id()), 1)))));
    }

    private static TrustDocument keylessTrust(SigstoreRoots roots, KeylessIdentity identity) {
        SigningKey root = SigningKey.generate(KeyKind.ED25519);
        return new TrustDocument(1, Instant.now(), Map.of(root.id(), root.publicKey()), new Role(Set.of(root.id()), 1),
                new Role(Set.of(root.id()), 1), List.of(new ImageRule(registry.host() + "/apps/*", Optional.empty(), List.of(identity))))
                .with(roots);
    }

    private static SigstoreRoots roots(String trustOut) throws Exception {
        Map<String, Object> t = Json.object(Files.readAllBytes(Path.of(trustOut)));
        return new SigstoreRoots(List.of(CertificatePem.read((String) t.get("fulcioRootPem"))),
                List.of(KeyPem.readPublic((String) t.get("rekorPublicKeyPem"))));
    }

    private static Map<String, Object> request(String name, String statement) throws Exception {
        Path payload = dir.resolve(name + "-statement.json");
        Files.writeString(payload, statement);
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("kind", "dsse");
        req.put("payload", payload.toString());
        req.put("payloadType", "application/vnd.in-toto+json");
        req.put("bundleOut", dir.resolve(name + ".sigstore.json").toString());
        req.put("trustOut", dir.resolve(name + "-trust.json").toString());
        return req;
    }

    /** The in-toto statement cosign 3 signs for an image: the manifest digest as subject, the cosign sign predicate. */
    private static String statement(Digest manifest) {
        return "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"" + registry.host() + "/apps/demo\",\"digest\":{\"sha256\":\""
                + manifest.hex() + "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Tools.require("openssl", "openssl").toString()));
        cmd.addAll(List.of(args));
        Tools.run(cmd, 60).orThrow("openssl");
    }
}
