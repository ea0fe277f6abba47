package dev.edgeagent.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys and certificates as openssl writes them, read with the JDK alone. */
class PemTlsTest {
    @TempDir
    Path dir;

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("openssl is not installed: apt-get install openssl (or run scripts/ensure-deps)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "SEC1 EC (openssl ecparam -genkey),      ecparam -name prime256v1 -genkey -noout -out key.pem,   EC PRIVATE KEY",
        "PKCS#8 EC (openssl genpkey),            genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out key.pem, BEGIN PRIVATE KEY",
        "PKCS#1 RSA (openssl genrsa -traditional), genrsa -traditional -out key.pem 2048,                RSA PRIVATE KEY",
        "PKCS#8 RSA (openssl genpkey),           genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem, BEGIN PRIVATE KEY",
        "PKCS#8 Ed25519 (openssl genpkey),       genpkey -algorithm ed25519 -out key.pem,                BEGIN PRIVATE KEY",
    })
    void readsThePrivateKeyThatMatchesItsCertificate(String kind, String keygen, String marker) throws Exception {
        openssl(dir, keygen.split(" "));
        assertTrue(Files.readString(dir.resolve("key.pem")).contains(marker), kind);
        openssl(dir, "req", "-x509", "-new", "-key", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=device");
        PrivateKey key = PemTls.privateKey(dir.resolve("key.pem"));
        X509Certificate cert = PemTls.certificates(dir.resolve("cert.pem")).get(0);
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        byte[] data = "edge".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(data);
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(cert.getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(signer.sign()), kind + ": the key read is not the one in the certificate");
        assertEquals("TLSv1.3", PemTls.context(dir.resolve("cert.pem"), Optional.of(dir.resolve("cert.pem")),
                Optional.of(dir.resolve("key.pem"))).getProtocol());
    }

    @Test
    void readsEveryCertificateOfAChainAndIgnoresTextAroundThem() throws Exception {
        for (String name : List.of("a", "b")) {
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                    "-out", name + ".pem", "-days", "1", "-subj", "/CN=" + name);
        }
        Files.writeString(dir.resolve("chain.pem"), "subject=CN=a\n" + Files.readString(dir.resolve("a.pem")) + "some words\n"
                + Files.readString(dir.resolve("b.pem")));
        List<X509Certificate> chain = PemTls.certificates(dir.resolve("chain.pem"));
        assertEquals(List.of("CN=a", "CN=b"), chain.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
    }

    @Test
    void refusesAnEncryptedKeyAndAFileWithoutAKeySayingWhichFile() throws Exception {
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes-256-cbc", "-pass", "pass:secret1234",
                "-out", "enc.pem");
        Exception e = assertThrows(Exception.class, () -> PemTls.privateKey(dir.resolve("enc.pem")));
        assertTrue(e.getMessage().contains("enc.pem") && e.getMessage().contains("no unencrypted PEM private key"), e.getMessage());
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        PemTls.TlsMaterialException t = assertThrows(PemTls.TlsMaterialException.class,
                () -> PemTls.context(dir.resolve("empty.pem"), Optional.empty(), Optional.empty()));
        assertTrue(t.getMessage().contains("empty.pem holds no PEM certificate"), t.getMessage());
    }

    /** The agent connects with TLS without Bouncy Castle on its class path: it is not loaded at all on a device. */
    @Test
    void buildsAMutualTlsContextWithoutBouncyCastle() throws Exception {
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem");
        openssl(dir, "req", "-x509", "-new", "-key", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=device");
        ClassLoader withoutBc = new ClassLoader(null) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.bouncycastle.") || name.startsWith("dev.edgeagent.")) {
                    throw new ClassNotFoundException(name);
                }
                return PemTlsTest.class.getClassLoader().loadClass(name);
            }
        };
        URL classes = PemTls.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader security = new URLClassLoader(new URL[] {classes}, withoutBc)) {
            Object ctx = security.loadClass(PemTls.class.getName()).getMethod("context", Path.class, Optional.class, Optional.class)
                    .invoke(null, dir.resolve("cert.pem"), Optional.of(dir.resolve("cert.pem")), Optional.of(dir.resolve("key.pem")));
            assertTrue(ctx instanceof SSLContext, String.valueOf(ctx));
        }
    }
}
