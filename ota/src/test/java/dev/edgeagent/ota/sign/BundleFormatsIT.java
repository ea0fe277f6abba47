package dev.edgeagent.ota.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.CertificatePem;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.KeylessIdentity;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SigstoreRoots;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.security.sigstore.BundleJson;
import dev.edgeagent.security.sigstore.BundleVerifier;
import dev.edgeagent.security.sigstore.SigstoreBundle;
import dev.edgeagent.testkit.SigstoreJs;
import dev.edgeagent.testkit.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle versions and content kinds Sigstore's JavaScript libraries write, read and verified without a
 * registry: v0.2 (an x509 certificate chain), the same as v0.1 (what its media type allowed then), v0.3, and a
 * keyed message signature over the manifest bytes.
 */
class BundleFormatsIT {
    static final String ISSUER = "https://accounts.example.com";
    static final String SUBJECT = "https://ci.example.com/pipelines/release"; // the mock Fulcio writes a URI SAN
    static final Digest MANIFEST = Digest.sha256Of("{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void keylessV02AndV01BundlesWithACertificateChainVerify() throws Exception {
        SigstoreJs js = SigstoreJs.require();
        Map<String, Object> req = request("chain", statement(MANIFEST), "dsse");
        req.put("keyless", Map.of("issuer", ISSUER, "subject", SUBJECT));
        req.put("certificateChain", true);
        byte[] bundle = js.bundle(dir, req);
        SigstoreBundle parsed = BundleJson.parse(bundle);
        assertEquals(SigstoreBundle.Version.V0_2, parsed.version());
        Map<String, Object> t = Json.object(Files.readAllBytes(Path.of((String) req.get("trustOut"))));
        SigstoreRoots roots = new SigstoreRoots(List.of(CertificatePem.read((String) t.get("fulcioRootPem"))),
                List.of(KeyPem.readPublic((String) t.get("rekorPublicKeyPem"))));
        ImageRule rule = new ImageRule("*", Optional.empty(), List.of(KeylessIdentity.exact(ISSUER, SUBJECT)));

        BundleVerifier.Verdict v2 = BundleVerifier.verify(bundle, MANIFEST, rule, Map.of(), roots);
        assertTrue(v2.accepted() && v2.identity().isPresent(), v2.detail());

        Map<String, Object> v01 = Json.object(bundle);
        v01.put("mediaType", SigstoreBundle.Version.V0_1.mediaType());
        BundleVerifier.Verdict v1 = BundleVerifier.verify(Json.compact(v01), MANIFEST, rule, Map.of(), roots);
        assertTrue(v1.accepted(), v1.detail());

        // An inclusion proof that leads to another root than its checkpoint signs, though the SET is intact.
        Map<String, Object> badProof = Json.object(bundle);
        Map<String, Object> entry = cast(((List<?>) cast(badProof.get("verificationMaterial")).get("tlogEntries")).get(0));
        cast(entry.get("inclusionProof")).put("rootHash", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        BundleVerifier.Verdict proof = BundleVerifier.verify(Json.compact(badProof), MANIFEST, rule, Map.of(), roots);
        assertEquals(Optional.of(BundleVerifier.Failure.REKOR_PROOF), proof.failure(), proof.detail());
        assertTrue(proof.detail().contains("inclusion proof"), proof.detail());

        Map<String, Object> unknown = Json.object(bundle);
        unknown.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.9+json");
        BundleVerifier.Verdict v9 = BundleVerifier.verify(Json.compact(unknown), MANIFEST, rule, Map.of(), roots);
        assertEquals(Optional.of(BundleVerifier.Failure.UNREADABLE), v9.failure(), v9.detail());
    }

    @Test
    void aKeyedMessageSignatureOverTheManifestVerifiesAndOverOtherBytesDoesNot() throws Exception {
        SigstoreJs js = SigstoreJs.require();
        Path key = dir.resolve("k.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        openssl("pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve("k.pub").toString());
        VerificationKey pub = KeyPem.readPublic(Files.readString(dir.resolve("k.pub")));
        ImageRule rule = new ImageRule("*", Optional.of(new Role(Set.of(pub.id()), 1)));

        Map<String, Object> req = request("message", "{\"schemaVersion\":2}", "message");
        req.put("keyed", Map.of("privateKeyPem", key.toString(), "publicKeyPem", dir.resolve("k.pub").toString()));
        byte[] bundle = js.bundle(dir, req);
        assertTrue(BundleJson.parse(bundle).messageSignature().isPresent());
        BundleVerifier.Verdict ok = BundleVerifier.verify(bundle, MANIFEST, rule, Map.of(pub.id(), pub), SigstoreRoots.NONE);
        assertEquals(Optional.of(pub.id()), ok.key(), ok.detail());

        Digest another = Digest.sha256Of("{\"schemaVersion\":3}".getBytes(StandardCharsets.UTF_8));
        BundleVerifier.Verdict wrong = BundleVerifier.verify(bundle, another, rule, Map.of(pub.id(), pub), SigstoreRoots.NONE);
        assertEquals(Optional.of(BundleVerifier.Failure.SUBJECT_MISMATCH), wrong.failure(), wrong.detail());
    }

    private Map<String, Object> request(String name, String payload, String kind) throws Exception {
        Path p = dir.resolve(name + ".payload");
        Files.writeString(p, payload);
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("kind", kind);
        req.put("payload", p.toString());
        req.put("payloadType", "application/vnd.in-toto+json");
        req.put("bundleOut", dir.resolve(name + ".sigstore.json").toString());
        req.put("trustOut", dir.resolve(name + "-trust.json").toString());
        return req;
    }

    private static String statement(Digest manifest) {
        return "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"img\",\"digest\":{\"sha256\":\"" + manifest.hex()
                + "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}";
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
