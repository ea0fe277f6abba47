package dev.edgeagent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.Credentials;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.RetryPolicy;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.testkit.OciLayouts;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real docker-registries behind token auth (a test token service) and behind basic auth (htpasswd). */
class RegistryAuthIT {
    @TempDir
    static Path shared;
    static TokenServer tokens;
    static Registry tokenRegistry;
    static Registry basicRegistry;
    static Digest publicDemo;
    static Digest privateDemo;
    static Digest basicDemo;

    @TempDir
    Path store;

    @BeforeAll
    static void start() throws Exception {
        tokens = new TokenServer(Files.createDirectories(shared.resolve("tokens")), "edge", "s3cret");
        tokenRegistry = Registry.startWithTokenAuth(Files.createDirectories(shared.resolve("token-registry")), tokens.realm(),
                TokenServer.SERVICE, TokenServer.ISSUER, tokens.certificate());
        basicRegistry = Registry.startWithBasicAuth(Files.createDirectories(shared.resolve("basic-registry")), "edge", "s3cret");
        String demo = Registry.buildDemoLayout(shared.resolve("image"));
        publicDemo = OciLayouts.push(demo, tokenRegistry.host() + "/public/demo:1", "--dest-creds", "edge:s3cret");
        privateDemo = OciLayouts.push(demo, tokenRegistry.host() + "/private/demo:1", "--dest-creds", "edge:s3cret");
        basicDemo = OciLayouts.push(demo, basicRegistry.host() + "/demo:1", "--dest-creds", "edge:s3cret");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {tokenRegistry, basicRegistry, tokens}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private PulledImage pull(Registry registry, String repository, Digest digest, Map<String, Credentials> creds) throws Exception {
        TransportSettings settings = new TransportSettings(Set.of(registry.host()), Optional.empty(), creds, RetryPolicy.NONE,
                Duration.ofSeconds(30));
        return new ImagePuller(RegistryClient.create(settings), new BlobStore(store))
                .pull(ImageRef.parse(registry.host() + "/" + repository + "@" + digest), Platform.parse("linux/amd64"), PullProgress.NONE);
    }

    @Test
    void anonymousPullWhereTheTokenServiceAllowsIt() throws Exception {
        int before = tokens.tokensIssued();
        PulledImage image = pull(tokenRegistry, "public/demo", publicDemo, Map.of());
        assertEquals(publicDemo, image.manifestDigest());
        assertEquals(1, tokens.tokensIssued() - before, "one token serves the manifest and every blob of the pull");
    }

    @Test
    void aPrivateRepositoryWithoutCredentialsIsRefusedSayingWhy() {
        OtaException e = assertThrows(OtaException.class, () -> pull(tokenRegistry, "private/demo", privateDemo, Map.of()));
        assertEquals(ErrorCode.REGISTRY_ERROR, e.code());
        assertTrue(e.getMessage().contains("no credentials are configured for " + tokenRegistry.host()), e.getMessage());
    }

    @Test
    void aPrivateRepositoryWithCredentials() throws Exception {
        PulledImage image = pull(tokenRegistry, "private/demo", privateDemo,
                Map.of(tokenRegistry.host(), new Credentials("edge", "s3cret")));
        assertEquals(privateDemo, image.manifestDigest());
    }

    @Test
    void wrongCredentialsAreRefused() {
        OtaException e = assertThrows(OtaException.class, () -> pull(tokenRegistry, "private/demo", privateDemo,
                Map.of(tokenRegistry.host(), new Credentials("edge", "wrong"))));
        assertEquals(ErrorCode.REGISTRY_ERROR, e.code());
        assertTrue(e.getMessage().contains("refused a token"), e.getMessage());
    }

    @Test
    void basicAuth() throws Exception {
        assertEquals(basicDemo, pull(basicRegistry, "demo", basicDemo,
                Map.of(basicRegistry.host(), new Credentials("edge", "s3cret"))).manifestDigest());
        OtaException e = assertThrows(OtaException.class, () -> pull(basicRegistry, "demo", basicDemo, Map.of()));
        assertTrue(e.getMessage().contains("asks for a user name and password"), e.getMessage());
        OtaException wrong = assertThrows(OtaException.class, () -> pull(basicRegistry, "demo", basicDemo,
                Map.of(basicRegistry.host(), new Credentials("edge", "nope"))));
        assertTrue(wrong.getMessage().contains("HTTP 401"), wrong.getMessage());
    }
}
