import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.PullProgress;
import dev.edgeagent.ota.PulledImage;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.security.userns.IdRange;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Side-by-side pull + verify + unpack of one image, each run into empty stores, contenders interleaved:
 *   agent (warm JVM)  — what the running daemon pays per order: ImagePuller + LayerUnpacker in this JVM
 *   agent CLI (cold)  — bin/edgeagent pull --unpack-to, JVM start included
 *   skopeo + umoci    — skopeo copy docker://… oci:…, then umoci unpack
 *   podman pull       — into its own fresh storage root
 * Run by bench/pull-bench:  java -cp agent/target/edgeagent.jar bench/PullBench.java REF WORKDIR RUNS
 */
public class PullBench {
    public static void main(String[] args) throws Exception {
        ImageRef ref = ImageRef.parse(args[0]);
        Path work = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        Path agentConfig = work.resolve("agent.json");
        Map<String, List<Long>> times = new LinkedHashMap<>();
        for (String k : List.of("agent (warm JVM)", "agent CLI (cold JVM)", "skopeo copy + umoci unpack", "podman pull")) {
            times.put(k, new ArrayList<>());
        }
        warmPull(ref, work.resolve("warmup"));
        for (int r = 1; r <= runs; r++) {
            clean(work);
            times.get("agent (warm JVM)").add(timed(() -> warmPull(ref, work.resolve("warm"))));
            clean(work);
            times.get("agent CLI (cold JVM)").add(timed(() -> run("bin/edgeagent", "pull", ref.toString(), "--config",
                    agentConfig.toString(), "--unpack-to", work.resolve("cli-rootfs").toString())));
            clean(work);
            times.get("skopeo copy + umoci unpack").add(timed(() -> {
                run("skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + ref, "oci:" + work.resolve("oci") + ":img");
                run("umoci", "unpack", "--image", work.resolve("oci") + ":img", work.resolve("umoci-bundle").toString());
            }));
            clean(work);
            times.get("podman pull").add(timed(() -> run("podman", "--root", work.resolve("podman/root").toString(),
                    "--runroot", work.resolve("podman/run").toString(), "pull", "--quiet", "--tls-verify=false", ref.toString())));
            StringBuilder line = new StringBuilder("run " + r + ":");
            times.forEach((k, v) -> line.append(String.format("  %s %d ms", k, v.get(v.size() - 1))));
            System.err.println(line);
        }
        clean(work);
        System.out.printf("%n%-30s %9s%n", "contender", "median");
        Map<String, Long> medians = new LinkedHashMap<>();
        times.forEach((k, v) -> {
            long m = median(v);
            medians.put(k, m);
            System.out.printf("%-30s %6d ms%n", k, m);
        });
        double skopeo = medians.get("skopeo copy + umoci unpack");
        double podman = medians.get("podman pull");
        for (String k : List.of("agent (warm JVM)", "agent CLI (cold JVM)")) {
            System.out.printf("%-22s / skopeo+umoci %.2f (goal <= 1.00)   / podman %.2f (goal <= 0.80)%n", k,
                    medians.get(k) / skopeo, medians.get(k) / podman);
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static void warmPull(ImageRef ref, Path root) throws Exception {
        BlobStore store = new BlobStore(root.resolve("store"));
        ImagePuller puller = new ImagePuller(RegistryClient.create(TransportSettings.insecure(Set.of(ref.registry()))), store);
        PulledImage image = puller.resolve(ref, Platform.host(), PullProgress.NONE);
        LayerUnpacker.Session session = new LayerUnpacker(UnpackLimits.DEFAULT).open(root.resolve("rootfs"),
                new IdRange(15 * 65536, 65536));
        puller.fetchAndUnpack(image, PullProgress.NONE, session, index -> { });
    }

    static long timed(Action a) throws Exception {
        run("sync");
        long t = System.nanoTime();
        a.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.PIPE).redirectInput(new File("/dev/null")).start();
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + err);
        }
    }

    static void clean(Path work) throws Exception {
        for (String d : List.of("warm", "agent", "cli-rootfs", "oci", "umoci-bundle", "podman", "warmup")) {
            Path p = work.resolve(d);
            if (Files.exists(p)) {
                run("rm", "-rf", p.toString());
            }
        }
    }

    static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
