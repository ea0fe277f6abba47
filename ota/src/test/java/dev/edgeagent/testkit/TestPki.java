package dev.edgeagent.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate (EC, SEC1 key), by the real openssl. */
public record TestPki(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
    public static TestPki create(Path dir) throws IOException, InterruptedException {
        String openssl = Tools.require("openssl", "openssl").toString();
        Path ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2",
                "-subj", "/CN=edgeagent-test-ca");
        Path serverKey = dir.resolve("server.key");
        Path serverCsr = dir.resolve("server.csr");
        Path serverCert = dir.resolve("server.pem");
        Path ext = Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKey.toString(), "-out", serverCsr.toString(),
                "-subj", "/CN=127.0.0.1");
        run(openssl, "x509", "-req", "-in", serverCsr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", serverCert.toString(), "-days", "2", "-extfile", ext.toString());
        Path clientKey = dir.resolve("client.key");
        Path clientCsr = dir.resolve("client.csr");
        Path clientCert = dir.resolve("client.pem");
        run(openssl, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", clientKey.toString());
        run(openssl, "req", "-new", "-key", clientKey.toString(), "-out", clientCsr.toString(), "-subj", "/CN=tls-device");
        run(openssl, "x509", "-req", "-in", clientCsr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", clientCert.toString(), "-days", "2");
        // mosquitto started as root drops to its own user before it reads the key; this key is a throwaway.
        Files.setPosixFilePermissions(serverKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return new TestPki(ca, serverCert, serverKey, clientCert, clientKey);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Tools.run(List.of(cmd), 60).orThrow(String.join(" ", cmd));
    }
}
