package dev.edgeagent.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real CNCF distribution registry (Debian's docker-registry) on a free loopback port, data in {@code dir}. */
public final class Registry extends ServerProcess {
    private Registry(Path config, Path dir, int port) throws IOException, InterruptedException {
        super("registry", List.of(Tools.require("docker-registry", "docker-registry").toString(), "serve", config.toString()),
                dir, port);
    }

    public static Registry start(Path dir) throws IOException, InterruptedException {
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
                """.formatted(dir.resolve("data"), port));
        return new Registry(config, dir, port);
    }

    /** host:port, as it appears in image references. */
    public String host() {
        return "127.0.0.1:" + port();
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
