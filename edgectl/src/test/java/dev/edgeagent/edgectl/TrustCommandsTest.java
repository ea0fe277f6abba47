package dev.edgeagent.edgectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen, trust init/rotate/sign as an operator runs them, checked with the same code a device checks with. */
class TrustCommandsTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    private Path password() throws Exception {
        Path p = dir.resolve("password");
        Files.writeString(p, "a long enough password\n");
        return p;
    }

    private void keygen(String name, String type) throws Exception {
        assertEquals(0, run("keygen", "--out", dir.resolve(name).toString(), "--type", type, "--password-file", password().toString()), err.toString());
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("docs/schemas"))) {
            p = p.getParent();
        }
        return p;
    }

    private String f(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void keygenEncryptsThePrivateKeyForItsOwnerOnlyAndNeverOverwrites() throws Exception {
        keygen("op", "ecdsa-p256");
        Path key = dir.resolve("op.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).contains("ENCRYPTED PRIVATE KEY"));
        assertEquals(KeyPem.readPublic(Files.readString(dir.resolve("op.pub"))).id(),
                KeyPem.readPrivate(Files.readString(key), "a long enough password".toCharArray()).id());
        assertEquals(2, run("keygen", "--out", f("op"), "--password-file", password().toString()));
        assertTrue(err.toString().contains("never overwrites"), err.toString());
    }

    @Test
    void keygenWithoutAPasswordIsAUsageError() {
        assertEquals(2, run("keygen", "--out", f("nopass"), "--password-file", "/nonexistent"));
        assertFalse(Files.exists(dir.resolve("nopass.key")));
    }

    @Test
    void ordersWithoutAKeyAreRefusedBeforeAnyBrokerIsContacted() {
        assertEquals(2, run("ping", "--device", "d1", "--broker", "tcp://127.0.0.1:1"));
        assertTrue(err.toString().contains("orders are signed"), err.toString());
    }

    @Test
    void keylessIdentitiesAndTheirSigstoreMaterialGoIntoTheDocumentAndSurviveARotation() throws Exception {
        keygen("root", "ecdsa-p256");
        keygen("op", "ecdsa-p256");
        keygen("build", "ed25519");
        keygen("rekor", "ecdsa-p256");
        String pw = password().toString();
        Path cert = dir.resolve("fulcio.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=fulcio test root", "-days", "2", "-keyout", f("fulcio.key"), "-out", cert.toString()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));

        // An identity rule without Fulcio and Rekor material could never admit an image: refused up front.
        assertEquals(2, run("trust", "init", "--root-key", f("root.key"), "--operator", f("op.pub"),
                "--keyless", "r.example/apps/*|https://token.actions.githubusercontent.com|~https://github\\.com/acme/.*",
                "--out", f("no-roots.json"), "--password-file", pw));
        assertTrue(err.toString().contains("--fulcio and --rekor"), err.toString());
        assertFalse(Files.exists(dir.resolve("no-roots.json")));

        assertEquals(0, run("trust", "init", "--root-key", f("root.key"), "--operator", f("op.pub"),
                "--images", "r.example/apps/*=" + f("build.pub"),
                "--keyless", "r.example/apps/*|https://token.actions.githubusercontent.com|~https://github\\.com/acme/.*",
                "--fulcio", cert.toString(), "--rekor", f("rekor.pub"), "--out", f("trust.json"), "--password-file", pw), err.toString());
        TrustDocument v1 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust.json")));
        assertEquals(1, v1.images().size(), "the keyed and keyless halves of one scope make one rule");
        var rule = v1.images().get(0);
        assertTrue(rule.signers().isPresent());
        assertTrue(rule.identities().get(0).matches("https://token.actions.githubusercontent.com",
                "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"));
        assertFalse(rule.identities().get(0).matches("https://token.actions.githubusercontent.com", "https://github.com/evil/app"));
        assertEquals(1, v1.sigstore().fulcio().size());
        assertEquals(KeyPem.readPublic(Files.readString(dir.resolve("rekor.pub"))).id(), v1.sigstore().rekor().get(0).id());

        assertEquals(0, run("trust", "rotate", "--current", f("trust.json"), "--root-key", f("root.key"), "--out", f("trust-v2.json"),
                "--password-file", pw), err.toString());
        TrustDocument v2 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust-v2.json")));
        assertEquals(v1.images(), v2.images());
        assertEquals(v1.sigstore().rekor(), v2.sigstore().rekor());
        assertEquals(v1.sigstore().fulcio(), v2.sigstore().fulcio());
        // The document edgectl wrote matches the schema in docs.
        String schema = Files.readString(repoRoot().resolve("docs/schemas/trust-document.schema.json"));
        String payload = new String(dev.edgeagent.security.sign.Envelope.parse(Files.readAllBytes(dir.resolve("trust-v2.json"))).payload(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(java.util.Set.of(), com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7)
                .getSchema(schema).validate(payload, com.networknt.schema.InputFormat.JSON), payload);
        assertFalse(com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7).getSchema(schema)
                .validate(payload.replace("\"subjectPattern\"", "\"subjectRegex\""), com.networknt.schema.InputFormat.JSON).isEmpty());

        // Sigstore's own trusted-root format: the CA chain and the log key are read from it.
        String der = java.util.Base64.getEncoder().encodeToString(v1.sigstore().fulcio().get(0).getEncoded());
        String spki = java.util.Base64.getEncoder().encodeToString(v1.sigstore().rekor().get(0).key().getEncoded());
        Files.writeString(dir.resolve("trusted_root.json"), "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
                + "\"tlogs\":[{\"baseUrl\":\"https://rekor.example\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":\"" + spki
                + "\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\"}}],\"certificateAuthorities\":[{\"uri\":\"https://fulcio.example\","
                + "\"certChain\":{\"certificates\":[{\"rawBytes\":\"" + der + "\"}]}}]}");
        assertEquals(0, run("trust", "rotate", "--current", f("trust-v2.json"), "--root-key", f("root.key"), "--trusted-root",
                f("trusted_root.json"), "--out", f("trust-v3.json"), "--password-file", pw), err.toString());
        TrustDocument v3 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust-v3.json")));
        assertEquals(v1.sigstore().fulcio(), v3.sigstore().fulcio());
        assertEquals(v1.sigstore().rekor(), v3.sigstore().rekor());
    }

    @Test
    void initThenRotateWithTwoRootsAndARevocation() throws Exception {
        keygen("root1", "ecdsa-p256");
        keygen("root2", "ed25519");
        keygen("op1", "ecdsa-p256");
        keygen("op2", "rsa");
        keygen("build", "ed25519");
        String pw = password().toString();
        assertEquals(0, run("trust", "init", "--root-key", f("root1.key"), "--root-key", f("root2.key"), "--root-threshold", "2",
                "--operator", f("op1.pub"), "--images", "localhost:5000/apps/*=" + f("build.pub"), "--reject", "*",
                "--out", f("trust.json"), "--password-file", pw), err.toString());
        TrustDocument v1 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust.json")));
        assertEquals(2, v1.root().threshold());
        assertEquals(2, v1.images().size());

        // One root key alone writes a document the devices would refuse; the second signs it afterwards.
        assertEquals(0, run("trust", "rotate", "--current", f("trust.json"), "--root-key", f("root1.key"), "--operator", f("op2.pub"),
                "--out", f("trust-v2.json"), "--password-file", pw), err.toString());
        assertTrue(out.toString().contains("needs 1 more root signature"), out.toString());
        byte[] half = Files.readAllBytes(dir.resolve("trust-v2.json"));
        assertEquals("BAD_SIGNATURE", refusal(v1, half));
        assertEquals(0, run("trust", "sign", "--file", f("trust-v2.json"), "--root-key", f("root2.key"), "--password-file", pw), err.toString());
        TrustDocument v2 = v1.successor(Files.readAllBytes(dir.resolve("trust-v2.json")));
        assertEquals(2, v2.version());
        assertEquals(1, v2.operators().keys().size());
        assertFalse(v2.keys().containsKey(KeyPem.readPublic(Files.readString(dir.resolve("op1.pub"))).id()), "a replaced key leaves the document");
        assertEquals(v1.images(), v2.images());

        assertEquals(2, run("trust", "rotate", "--current", f("trust-v2.json"), "--root-key", f("root1.key"), "--revoke", f("op2.pub"),
                "--out", f("trust-v3.json"), "--password-file", pw));
        assertTrue(err.toString().contains("no operator key left"), err.toString());
    }

    @Test
    void theAgentRoleIsSetAtInitAndKeptByARotationThatDoesNotNameIt() throws Exception {
        keygen("root", "ecdsa-p256");
        keygen("op", "ecdsa-p256");
        keygen("build", "ed25519");
        keygen("release", "ed25519");
        String pw = password().toString();
        assertEquals(0, run("trust", "init", "--root-key", f("root.key"), "--operator", f("op.pub"), "--images",
                "localhost:5000/apps/*=" + f("build.pub"), "--agent", f("release.pub"), "--out", f("trust.json"), "--password-file", pw),
                err.toString());
        TrustDocument v1 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust.json")));
        dev.edgeagent.security.sign.KeyId release = KeyPem.readPublic(Files.readString(dir.resolve("release.pub"))).id();
        assertEquals(java.util.Set.of(release), v1.agent().orElseThrow().keys());

        keygen("op2", "ecdsa-p256");
        assertEquals(0, run("trust", "rotate", "--current", f("trust.json"), "--root-key", f("root.key"), "--operator", f("op2.pub"),
                "--out", f("trust-v2.json"), "--password-file", pw), err.toString());
        TrustDocument v2 = v1.successor(Files.readAllBytes(dir.resolve("trust-v2.json")));
        assertEquals(v1.agent(), v2.agent());
        assertTrue(v2.keys().containsKey(release), "the agent role's key stays in the document");
    }

    @Test
    void documentsExpireAYearOutUnlessToldAndCarryTheRevokedImagePolicy() throws Exception {
        keygen("root", "ecdsa-p256");
        keygen("op", "ed25519");
        keygen("build", "ed25519");
        String pw = password().toString();
        java.time.Instant before = java.time.Instant.now();
        assertEquals(0, run("trust", "init", "--root-key", f("root.key"), "--operator", f("op.pub"), "--images", "*=" + f("build.pub"),
                "--out", f("trust.json"), "--password-file", pw), err.toString());
        TrustDocument v1 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust.json")));
        java.time.Instant expires = v1.expiresAt().orElseThrow();
        assertTrue(!expires.isBefore(before.plus(java.time.Duration.ofDays(365))) && expires.isBefore(java.time.Instant.now()
                .plus(java.time.Duration.ofDays(366))), expires.toString());
        assertEquals(TrustDocument.RevokedImages.REPORT, v1.revokedImages());

        assertEquals(0, run("trust", "rotate", "--current", f("trust.json"), "--root-key", f("root.key"), "--expires-in", "30",
                "--revoked-images", "stop", "--out", f("trust-v2.json"), "--password-file", pw), err.toString());
        TrustDocument v2 = v1.successor(Files.readAllBytes(dir.resolve("trust-v2.json")));
        assertTrue(v2.expiresAt().orElseThrow().isBefore(java.time.Instant.now().plus(java.time.Duration.ofDays(31))));
        assertEquals(TrustDocument.RevokedImages.STOP, v2.revokedImages());
        assertTrue(out.toString().contains("revoked images: stop"), out.toString());

        assertEquals(0, run("trust", "rotate", "--current", f("trust-v2.json"), "--root-key", f("root.key"), "--expires-in", "0",
                "--out", f("trust-v3.json"), "--password-file", pw), err.toString());
        TrustDocument v3 = v2.successor(Files.readAllBytes(dir.resolve("trust-v3.json")));
        assertTrue(v3.expiresAt().isEmpty());
        assertEquals(TrustDocument.RevokedImages.STOP, v3.revokedImages(), "rotate keeps the policy unless told");
        assertEquals(2, run("trust", "rotate", "--current", f("trust-v3.json"), "--root-key", f("root.key"), "--revoked-images", "kill",
                "--out", f("trust-v4.json"), "--password-file", pw));
        assertTrue(err.toString().contains("report or stop"), err.toString());
    }

    private static String refusal(TrustDocument current, byte[] next) {
        try {
            current.successor(next);
            return "accepted";
        } catch (TrustFailure e) {
            return e.code().name();
        }
    }

    @Test
    void theSettingsFileIsReadStrictlyAndFoundWhereTheEnvironmentSays() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"broker\":\"ssl://broker.example:8883\",\"key\":\"/k/op.key\"}");
        Settings s = Settings.load(file, true);
        assertEquals("ssl://broker.example:8883", s.broker().orElseThrow());
        assertEquals("/k/op.key", s.key().orElseThrow());
        assertEquals(Settings.NONE, Settings.load(dir.resolve("absent.json"), false));
        assertTrue(assertThrowsUsage(() -> Settings.load(dir.resolve("absent.json"), true)).contains("does not exist"));
        Files.writeString(file, "{\"brokr\":\"x\"}");
        assertTrue(assertThrowsUsage(() -> Settings.load(file, true)).contains("brokr"));
        assertEquals(file, Settings.location(java.util.Map.of("EDGECTL_CONFIG", file.toString())));
        assertEquals(Path.of("/home/op/.config/edgectl/config.json"), Settings.location(java.util.Map.of("HOME", "/home/op")));
        assertEquals(2, run("deploy", "--group", "north", "--app", "a", "--image", "r/a@sha256:" + "0".repeat(64)));
    }

    private static String assertThrowsUsage(org.junit.jupiter.api.function.Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(Args.UsageError.class, e).getMessage();
    }

    @Test
    void aPolicyRoleIsSetAtInitKeptByARotationAndMayNotShareAKeyWithTheOperators() throws Exception {
        keygen("root", "ecdsa-p256");
        keygen("op", "ecdsa-p256");
        keygen("sec", "ed25519");
        String pw = password().toString();
        assertEquals(2, run("trust", "init", "--root-key", f("root.key"), "--operator", f("op.pub"), "--policy", f("op.pub"),
                "--images", "*=" + f("op.pub"), "--out", f("shared.json"), "--password-file", pw));
        assertTrue(err.toString().contains("both an operator key and a policy key"), err.toString());
        assertFalse(Files.exists(dir.resolve("shared.json")));

        assertEquals(0, run("trust", "init", "--root-key", f("root.key"), "--operator", f("op.pub"), "--policy", f("sec.pub"),
                "--images", "*=" + f("op.pub"), "--out", f("trust.json"), "--password-file", pw), err.toString());
        TrustDocument v1 = TrustDocument.selfSigned(Files.readAllBytes(dir.resolve("trust.json")));
        var sec = KeyPem.readPublic(Files.readString(dir.resolve("sec.pub"))).id();
        assertEquals(java.util.Set.of(sec), v1.policy().orElseThrow().keys());
        assertTrue(out.toString().contains("policy keys: 1"), out.toString());

        assertEquals(0, run("trust", "rotate", "--current", f("trust.json"), "--root-key", f("root.key"), "--out", f("trust-v2.json"),
                "--password-file", pw), err.toString());
        TrustDocument v2 = v1.successor(Files.readAllBytes(dir.resolve("trust-v2.json")));
        assertEquals(v1.policy(), v2.policy());
        assertTrue(v2.keys().containsKey(sec), "the policy key stays listed");

        keygen("sec2", "ecdsa-p256");
        assertEquals(2, run("trust", "rotate", "--current", f("trust-v2.json"), "--root-key", f("root.key"), "--policy", f("sec.pub"),
                "--policy-threshold", "3", "--out", f("trust-v3.json"), "--password-file", pw));
        assertEquals(0, run("trust", "rotate", "--current", f("trust-v2.json"), "--root-key", f("root.key"), "--policy", f("sec.pub"),
                "--policy", f("sec2.pub"), "--policy-threshold", "2", "--out", f("trust-v3.json"), "--password-file", pw), err.toString());
        TrustDocument v3 = v2.successor(Files.readAllBytes(dir.resolve("trust-v3.json")));
        assertEquals(2, v3.policy().orElseThrow().threshold());
        assertEquals(2, v3.policy().orElseThrow().keys().size());
    }
}
