package dev.edgeagent.agent;

import dev.edgeagent.protocol.Digest;
import dev.edgeagent.testkit.OciLayouts;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.TarBuilder;
import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Busybox images with a command of the test's choosing (and optional extra files), made with umoci and skopeo. */
final class TestImages {
    private TestImages() {}

    static String push(AgentFixture f, String name, List<String> cmd, TarBuilder extraLayer) throws Exception {
        return push(f.work, f.registry, name, cmd, extraLayer);
    }

    static String push(Path work, Registry registry, String name, List<String> cmd, TarBuilder extraLayer) throws Exception {
        return push(work, registry, name, cmd, extraLayer, List.of());
    }

    /** With more of the image's config set through umoci, e.g. {@code --config.workingdir /srv}. */
    static String push(AgentFixture f, String name, List<String> cmd, TarBuilder extraLayer, List<String> umociConfig) throws Exception {
        return push(f.work, f.registry, name, cmd, extraLayer, umociConfig);
    }

    static String push(Path work, Registry registry, String name, List<String> cmd, TarBuilder extraLayer, List<String> umociConfig)
            throws Exception {
        Path dir = work.resolve("images").resolve(name);
        String source = Registry.buildDemoLayout(dir);
        Path layout = dir.resolve("layout");
        if (extraLayer != null) {
            OciLayouts.addLayer(layout, "demo", extraLayer);
        }
        List<String> config = new ArrayList<>(List.of(Tools.require("umoci", "umoci").toString(), "config", "--image", layout + ":demo"));
        for (String part : cmd) {
            config.addAll(List.of("--config.cmd", part));
        }
        config.addAll(umociConfig);
        Tools.run(config, 60).orThrow("umoci config");
        Digest d = OciLayouts.push(source, registry.host() + "/" + name + ":1");
        return registry.host() + "/" + name + "@" + d;
    }

    /** The escape probe (src/test/resources/probes/escape.c), compiled static with the real gcc. */
    static byte[] escapeProbe(Path work) throws Exception {
        Path source = Tools.repoRoot().resolve("agent/src/test/resources/probes/escape.c");
        Path binary = work.resolve("escape");
        Tools.run(List.of(Tools.require("gcc", "gcc libc6-dev").toString(), "-static", "-O2", "-o", binary.toString(),
                source.toString()), 120).orThrow("gcc -static escape.c");
        return Files.readAllBytes(binary);
    }
}
