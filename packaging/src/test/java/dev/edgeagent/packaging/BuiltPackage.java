package dev.edgeagent.packaging;

import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;

/** The .deb that bin/package makes from the jars this build produced; made once per test run. */
final class BuiltPackage {
    private static Path deb;

    private BuiltPackage() {}

    static synchronized Path deb() throws Exception {
        if (deb == null) {
            Tools.require("dpkg-deb", "dpkg");
            Path root = Tools.repoRoot();
            Path out = root.resolve("packaging/target/deb");
            String printed = Sh.run(root.resolve("bin/package").toString(), "--no-build", "--out", out.toString()).ok("bin/package").out().strip();
            deb = Path.of(printed);
            if (!Files.isRegularFile(deb) || !deb.getFileName().toString().matches("edgeagent_[0-9][^_]*_all\\.deb")) {
                throw new AssertionError("bin/package printed " + printed + ", not an edgeagent_<version>_all.deb it made");
            }
        }
        return deb;
    }
}
