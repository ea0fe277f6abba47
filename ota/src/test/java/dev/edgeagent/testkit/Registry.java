package dev.edgeagent.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real CNCF distribution registry (Debian's docker-registry) on a free loopback port, data in {@code dir}. */
public final class Registry extends ServerProcess {
    private final Path dir;

    private Registry(Path config, Path dir, int port) throws IOException, InterruptedException {
        super("registry", List.of(Tools.require("docker-registry", "docker-registry").toString(), "serve", config.toString()),
                dir, port);
        this.dir = dir;
    }

    public static Registry start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /** A registry that asks for a user name and password (htpasswd, bcrypt), checked by the registry itself. */
    public static Registry startWithBasicAuth(Path dir, String user, String password) throws IOException, InterruptedException {
        String line = Tools.run(List.of(Tools.require("htpasswd", "apache2-utils").toString(), "-Bbn", user, password), 30)
                .orThrow("htpasswd").stdout().strip();
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, line + "\n");
        return start(dir, """
                auth:
                  htpasswd:
                    realm: test-basic
                    path: %s
                """.formatted(htpasswd));
    }

    /** A registry that accepts only bearer tokens from {@code realm}, signed by the key of {@code rootCert}. */
    public static Registry startWithTokenAuth(Path dir, String realm, String service, String issuer, Path rootCert)
            throws IOException, InterruptedException {
        return start(dir, """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(realm, service, issuer, rootCert));
    }

    /**
     * A registry serving HTTPS with a certificate for 127.0.0.1 made by the real openssl; returns it with the
     * certificate, which is its own CA.
     */
    public static Registry startWithTls(Path dir) throws IOException, InterruptedException {
        Path key = dir.resolve("tls-key.pem");
        Path cert = dir.resolve("tls-cert.pem");
        Tools.run(List.of(Tools.require("openssl", "openssl").toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"), 60).orThrow("openssl req");
        return start(dir, """
                  tls:
                    certificate: %s
                    key: %s
                """.formatted(cert, key));
    }

    /** The TLS certificate of a registry started with {@link #startWithTls}. */
    public Path tlsCertificate() {
        return dir.resolve("tls-cert.pem");
    }

    private static Registry start(Path dir, String authSection) throws IOException, InterruptedException {
        int port = FreePort.pick();
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port) + authSection);
        return new Registry(config, dir, port);
    }

    /** host:port, as it appears in image references. */
    public String host() {
        return "127.0.0.1:" + port();
    }

    /** Builds the demo image as an OCI layout in {@code workDir}; returns the skopeo source reference. */
    public static String buildDemoLayout(Path workDir) throws IOException, InterruptedException {
        Tools.require("umoci", "umoci");
        Tools.require("busybox", "busybox-static");
        Path script = Tools.repoRoot().resolve("scripts/build-demo-image");
        Tools.run(List.of(script.toString(), workDir.toString()), 120).orThrow("scripts/build-demo-image");
        return "oci:" + workDir.resolve("layout") + ":demo";
    }

    /**
     * Builds the demo image with scripts/build-demo-image (umoci, busybox-static) and pushes it here with skopeo.
     * Returns the reference pinned by digest.
     */
    public String pushDemoImage(Path workDir, String repository) throws IOException, InterruptedException {
        return pushDemoImage(workDir, repository, "demo");
    }

    /** As {@link #pushDemoImage(Path, String)}, with a build id that gives the image a layer of its own. */
    public String pushDemoImage(Path workDir, String repository, String buildId) throws IOException, InterruptedException {
        Tools.require("umoci", "umoci");
        Tools.require("skopeo", "skopeo");
        Tools.require("busybox", "busybox-static");
        Path script = Tools.repoRoot().resolve("scripts/build-demo-image");
        return Tools.run(List.of(script.toString(), workDir.toString(), host() + "/" + repository, buildId), 120)
                .orThrow("scripts/build-demo-image").stdout().strip();
    }
}
