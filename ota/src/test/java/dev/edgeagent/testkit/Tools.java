package dev.edgeagent.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds the real parts the tests drive, and runs short commands. A missing part fails with its install hint. */
public final class Tools {
    private static final List<String> PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private Tools() {}

    /** The absolute path of {@code binary}; throws with "apt-get install {@code debianPackage}" when it is missing. */
    public static Path require(String binary, String debianPackage) {
        for (String dir : PATH) {
            Path p = Path.of(dir, binary);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(binary + " is not installed; this test needs the real one. Install it with: "
                + "apt-get install " + debianPackage + "   (bin/test installs everything the suite needs)");
    }

    public record Result(int exit, String stdout, String stderr) {
        public Result orThrow(String what) {
            if (exit != 0) {
                throw new IllegalStateException(what + " failed with exit " + exit + ": " + stderr + stdout);
            }
            return this;
        }
    }

    public static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("cmd", ".out");
        Path err = Files.createTempFile("cmd", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The repository root (the directory holding scripts/), found from the test's working directory. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("scripts"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (scripts/) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
