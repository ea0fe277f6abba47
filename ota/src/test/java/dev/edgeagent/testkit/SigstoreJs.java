package dev.edgeagent.testkit;

import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Sigstore's own JavaScript libraries (@sigstore/sign, @sigstore/mock), run through node to write bundles the
 * agent did not write: ota/src/test/sigstore-js/make-bundle.js, with the packages pinned beside it and installed by
 * scripts/ensure-deps into EDGEAGENT_SIGSTORE_JS (default /var/cache/edgeagent-test/npm/sigstore-js).
 */
public final class SigstoreJs {
    private final Path node;
    private final Path packages;
    private final Path script;

    private SigstoreJs(Path node, Path packages, Path script) {
        this.node = node;
        this.packages = packages;
        this.script = script;
    }

    /** Finds node and the installed packages; a missing one fails the test with how to install it. */
    public static SigstoreJs require() {
        Path node = Tools.require("node", "nodejs");
        String dir = System.getenv().getOrDefault("EDGEAGENT_SIGSTORE_JS", "/var/cache/edgeagent-test/npm/sigstore-js");
        Path packages = Path.of(dir, "node_modules");
        if (!Files.isDirectory(packages.resolve("@sigstore/sign")) || !Files.isDirectory(packages.resolve("@sigstore/mock"))) {
            throw new IllegalStateException("Sigstore's JavaScript libraries are not installed in " + dir + "; this test needs them. "
                    + "Install them with: bash -c '. scripts/ensure-deps && edgeagent_ensure_sigstore_js'   (needs node and npm: "
                    + "apt-get install nodejs npm; bin/test does all of it)");
        }
        return new SigstoreJs(node, packages, Tools.repoRoot().resolve("ota/src/test/sigstore-js/make-bundle.js"));
    }

    /** Runs make-bundle.js with {@code request} (see the script for its fields); returns the bundle's bytes. */
    public byte[] bundle(Path workDir, Map<String, Object> request) throws IOException, InterruptedException {
        Path req = Files.createTempFile(workDir, "request", ".json");
        Files.write(req, Json.compact(request));
        List<String> cmd = List.of("env", "NODE_PATH=" + packages, node.toString(), script.toString(), req.toString());
        Tools.run(cmd, 60).orThrow("make-bundle.js");
        return Files.readAllBytes(Path.of((String) request.get("bundleOut")));
    }
}
