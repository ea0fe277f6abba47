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
}
