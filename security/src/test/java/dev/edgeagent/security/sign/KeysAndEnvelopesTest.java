package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class KeysAndEnvelopesTest {
    private static final char[] PASSWORD = "correct horse battery".toCharArray();

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void aKeyWrittenEncryptedReadsBackAndSignsWhatItsPublicKeyVerifies(KeyKind kind) throws Exception {
        SigningKey key = SigningKey.generate(kind);
        String pem = KeyPem.encryptedPrivatePem(key, PASSWORD);
        assertTrue(pem.contains("BEGIN ENCRYPTED PRIVATE KEY"), pem);

        SigningKey read = KeyPem.readPrivate(pem, PASSWORD);
        VerificationKey pub = KeyPem.readPublic(key.publicKey().pem());
        assertEquals(key.id(), read.id());
        assertEquals(key.id(), pub.id());
        byte[] msg = "deploy demo".getBytes(StandardCharsets.UTF_8);
        byte[] sig = read.sign(msg);
        assertTrue(pub.verifies(msg, sig));
        assertFalse(pub.verifies("deploy evil".getBytes(StandardCharsets.UTF_8), sig));
    }

    @Test
    void aWrongOrMissingPasswordIsRefusedWithASentence() {
        String pem = KeyPem.encryptedPrivatePem(SigningKey.generate(KeyKind.ECDSA_P256), PASSWORD);
        var wrong = assertThrows(KeyPem.KeyFormatException.class, () -> KeyPem.readPrivate(pem, "nope-nope-nope".toCharArray()));
        assertTrue(wrong.getMessage().contains("password does not open"), wrong.getMessage());
        var none = assertThrows(KeyPem.KeyFormatException.class, () -> KeyPem.readPrivate(pem, null));
        assertTrue(none.getMessage().contains("no password"), none.getMessage());
    }

    @Test
    void weakKeysAreRefused() throws Exception {
        var g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        String pem = KeyPem.publicPem(g.generateKeyPair().getPublic());
        var e = assertThrows(KeyPem.KeyFormatException.class, () -> KeyPem.readPublic(pem));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    /** Signatures made by openssl (an independent ECDSA/Ed25519 implementation) with keys openssl made. */
    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void signaturesMadeByOpensslVerify(KeyKind kind, @TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.pem");
        switch (kind) {
            case ECDSA_P256 -> openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
            case ED25519 -> openssl(dir, "genpkey", "-algorithm", "ed25519", "-out", key.toString());
            case RSA -> openssl(dir, "genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        }
        openssl(dir, "pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve("k.pub").toString());
        Path msg = dir.resolve("msg");
        Files.writeString(msg, "{\"critical\":{}}");
        Path sig = dir.resolve("sig");
        if (kind == KeyKind.ED25519) {
            openssl(dir, "pkeyutl", "-sign", "-rawin", "-inkey", key.toString(), "-in", msg.toString(), "-out", sig.toString());
        } else {
            openssl(dir, "dgst", "-sha256", "-sign", key.toString(), "-out", sig.toString(), msg.toString());
        }
        VerificationKey pub = KeyPem.readPublic(Files.readString(dir.resolve("k.pub")));
        assertEquals(kind, pub.kind());
        assertTrue(pub.verifies(Files.readAllBytes(msg), Files.readAllBytes(sig)));
        // openssl's private key file (SEC1 or PKCS#8 without the public half) is read too, and names the same key
        assertEquals(pub.id(), KeyPem.readPrivate(Files.readString(key), null).id());
    }

    @Test
    void opensslOpensAKeyThisProjectEncrypted(@TempDir Path dir) throws Exception {
        SigningKey key = SigningKey.generate(KeyKind.ECDSA_P256);
        Path file = dir.resolve("op.key");
        Files.writeString(file, KeyPem.encryptedPrivatePem(key, PASSWORD));
        openssl(dir, "pkey", "-in", file.toString(), "-passin", "pass:" + new String(PASSWORD), "-pubout", "-out", dir.resolve("op.pub").toString());
        assertEquals(key.id(), KeyPem.readPublic(Files.readString(dir.resolve("op.pub"))).id());
    }

    @Test
    void dssePaeIsTheSpecsEncoding() {
        assertArrayEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world".getBytes(StandardCharsets.UTF_8),
                Envelope.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anEnvelopeSurvivesItsJsonAndATamperedPayloadFails() throws Exception {
        SigningKey k = SigningKey.generate(KeyKind.ED25519);
        Envelope env = Envelope.sign("t", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), List.of(k));
        Envelope back = Envelope.parse(env.toJson());
        byte[] pae = Envelope.pae(back.payloadType(), back.payload());
        assertTrue(k.publicKey().verifies(pae, back.signatures().get(0).sig()));
        byte[] tampered = Envelope.pae(back.payloadType(), "{\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertFalse(k.publicKey().verifies(tampered, back.signatures().get(0).sig()));
        // a signature made for another payloadType does not carry over
        assertFalse(k.publicKey().verifies(Envelope.pae("u", back.payload()), back.signatures().get(0).sig()));
    }

    static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("openssl is not installed: apt-get install openssl (or run scripts/ensure-deps)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
    }
}
