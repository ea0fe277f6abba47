import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.runc.RuncDriver;
import dev.edgeagent.runtime.spec.AppSpec;
import dev.edgeagent.runtime.spec.HardenedSpec;
import dev.edgeagent.runtime.spec.OciSpec;
import dev.edgeagent.runtime.network.AppNetworks;
import dev.edgeagent.runtime.network.BridgeSpec;
import dev.edgeagent.runtime.network.CniPlugins;
import dev.edgeagent.runtime.network.NetworkPlan;
import dev.edgeagent.profiles.NetworkGrant;
import dev.edgeagent.runtime.supervise.ChildReaper;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import dev.edgeagent.security.userns.IdRange;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting a container whose rootfs is ready, run to completion (/bin/true), side by side, interleaved:
 *   agent (warm JVM)   — RuncDriver create --pid-file + start, the exit reaped as the supervisor does; the delete
 *                        (which the supervisor does after an exit, off any start path) is timed apart
 *   runc run           — the same bundle and hardened config.json, one runc invocation
 *   podman run --rm    — the same image from podman's store, network none
 *   agent, bridge      — as the agent path with a bridge network, wired as ContainerLauncher does it
 *                        (AppNetworks.attachDuring: netns and hosts file, then loopback + bridge/host-local through the
 *                        CNI plugins and the egress rules on another thread while runc creates the container); two
 *                        rows: joining a network another app keeps up, and the first app of a network (its bridge
 *                        made, and removed with the app); detach timed apart
 *   podman --network bridge — podman's own bridge network, where podman is installed
 * Run by bench/start-bench: java -cp agent/target/edgeagent.jar bench/StartBench.java BUNDLE IMAGE WORKDIR RUNS
 */
public class StartBench {
    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        String image = args[1];
        Path work = Path.of(args[2]);
        int runs = Integer.parseInt(args[3]);
        IdRange ids = new IdRange(15 * 65536, 65536);
        AppSpec spec = new AppSpec("bench", "bench", List.of("/bin/true"), List.of("PATH=/bin"), "/", 0, 0, ids,
                new ResourceLimits(64L << 20, 64, 1000), DefaultSeccompProfile.forArch("amd64"));
        // A cgroup of this run's own: another agent on the host may be using /edgeagent/bench (its device id).
        String cgroupParent = HardenedSpec.CGROUP_PARENT + "/start-bench-" + ProcessHandle.current().pid();
        Files.write(bundle.resolve("config.json"), Json.pretty(HardenedSpec.build(spec, cgroupParent).root()));
        Path runc = Path.of("/usr/sbin/runc");
        RuncDriver driver = RuncDriver.open(runc, work.resolve("agent-state"));
        boolean withPodman = args.length < 5 || !args[4].equals("no-podman");
        ChildReaper reaper = ChildReaper.install().orElseThrow(() -> new IllegalStateException("cannot become a subreaper"));
        Map<String, List<Long>> times = new LinkedHashMap<>();
        times.put("agent (warm JVM): create+start+reap", new ArrayList<>());
        times.put("agent (warm JVM): ... + delete", new ArrayList<>());
        times.put("runc run (same bundle)", new ArrayList<>());
        times.put("podman run --rm", new ArrayList<>());
        Path bridgeBundle = Files.createDirectories(work.resolve("bridge-bundle"));
        AppNetworks networks = new AppNetworks(work.toString(), work.resolve("net"), new CniPlugins(CniPlugins.DEBIAN_PATH),
                NetworkGrant.DEFAULT_POOL);
        times.put("agent, bridge (network in use): wire+create+start+reap", new ArrayList<>());
        times.put("agent, bridge (network in use): detach", new ArrayList<>());
        times.put("agent, bridge (new network): wire+create+start+reap", new ArrayList<>());
        times.put("agent, bridge (new network): detach, bridge removed", new ArrayList<>());
        // Another app on network "bench" for the whole run, as on a device where the network is up already.
        networks.attach("bench-keeper", new NetworkPlan("keeper", List.of("bench"), List.of(), List.of()));
        times.put("podman run --rm --network bridge", new ArrayList<>());
        for (int r = 0; r <= runs; r++) {
            long t0 = System.nanoTime();
            ContainerId id = new ContainerId("bench-agent-" + r);
            long pid = driver.create(id, bundle, work.resolve("agent.log"));
            var exit = reaper.watch(pid, id.value());
            driver.start(id);
            int status = exit.get();
            long agentRun = (System.nanoTime() - t0) / 1_000_000;
            driver.delete(id, true);
            long agent = (System.nanoTime() - t0) / 1_000_000;
            if (status != 0) {
                throw new IllegalStateException("agent run exited with status " + status);
            }
            long t1 = System.nanoTime();
            run(runc.toString(), "--root", work.resolve("runc-state").toString(), "run", "--bundle", bundle.toString(), "bench-runc-" + r);
            long runcRun = (System.nanoTime() - t1) / 1_000_000;
            long t2 = System.nanoTime();
            if (withPodman) run("podman", "--root", work.resolve("podman/root").toString(), "--runroot", work.resolve("podman/run").toString(),
                    "--runtime", "/usr/sbin/runc", "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", image, "/bin/true");
            long podman = (System.nanoTime() - t2) / 1_000_000;
            long[] joined = bridgeRun(driver, reaper, networks, spec, cgroupParent, bundle, bridgeBundle, work, "bench", "bench-br-" + r);
            long[] fresh = bridgeRun(driver, reaper, networks, spec, cgroupParent, bundle, bridgeBundle, work, "fresh", "bench-new-" + r);
            long podmanBridge = -1;
            if (withPodman) {
                long t3 = System.nanoTime();
                run("podman", "--root", work.resolve("podman/root").toString(), "--runroot", work.resolve("podman/run").toString(),
                        "--runtime", "/usr/sbin/runc", "run", "--rm", "--network", "bridge", "--ulimit", "nofile=1024:1024", "--ulimit",
                        "nproc=4096:4096", image, "/bin/true");
                podmanBridge = (System.nanoTime() - t3) / 1_000_000;
            }
            if (r == 0) {
                continue; // warm-up
            }
            times.get("agent, bridge (network in use): wire+create+start+reap").add(joined[0]);
            times.get("agent, bridge (network in use): detach").add(joined[1]);
            times.get("agent, bridge (new network): wire+create+start+reap").add(fresh[0]);
            times.get("agent, bridge (new network): detach, bridge removed").add(fresh[1]);
            if (podmanBridge >= 0) {
                times.get("podman run --rm --network bridge").add(podmanBridge);
            }
            times.get("agent (warm JVM): create+start+reap").add(agentRun);
            times.get("agent (warm JVM): ... + delete").add(agent);
            times.get("runc run (same bundle)").add(runcRun);
            if (withPodman) {
                times.get("podman run --rm").add(podman);
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        times.values().removeIf(List::isEmpty);
        times.forEach((k, v) -> {
            List<Long> s = new ArrayList<>(v);
            s.sort(null);
            m.put(k, s.get(s.size() / 2));
            System.out.printf("%-46s median %4d ms  (min %d, max %d)%n", k, s.get(s.size() / 2), s.get(0), s.get(s.size() - 1));
        });
        long agentRun = m.get("agent (warm JVM): create+start+reap");
        long agent = m.get("agent (warm JVM): ... + delete");
        long runcRun = m.get("runc run (same bundle)");
        long podman = m.getOrDefault("podman run --rm", -1L);
        System.out.printf("without delete: agent - runc run %+d ms (goal <= +20 ms), agent / podman %.2f (goal <= 0.30)%n",
                agentRun - runcRun, (double) agentRun / podman);
        System.out.printf("with delete:    agent - runc run %+d ms, agent / podman %.2f%n", agent - runcRun, (double) agent / podman);
        networks.detach("bench-keeper");
        long bridge = m.get("agent, bridge (network in use): wire+create+start+reap");
        long fresh = m.get("agent, bridge (new network): wire+create+start+reap");
        System.out.printf("bridge:         agent bridge - agent none %+d ms (goal <= +30 ms); the first app of a new network %+d ms%s%n",
                bridge - agentRun, fresh - agentRun,
                m.containsKey("podman run --rm --network bridge")
                        ? String.format(", agent bridge / podman bridge %.2f (goal < 1)", (double) bridge / m.get("podman run --rm --network bridge"))
                        : ", podman bridge not measured (podman missing or its bridge network failed)");
    }

    /** One bridge app started to completion on {@code network}, then deleted and detached: {wire..reap ms, detach ms}. */
    static long[] bridgeRun(RuncDriver driver, ChildReaper reaper, AppNetworks networks, AppSpec spec, String cgroupParent, Path bundle,
            Path bridgeBundle, Path work, String network, String name) throws Exception {
        ContainerId bid = new ContainerId(name);
        OciSpec bridged = HardenedSpec.build(spec, cgroupParent);
        bridged.root().put("root", Map.of("path", bundle.resolve("rootfs").toString(), "readonly", true));
        BridgeSpec.apply(bridged, networks.netns(bid.value()), networks.hosts(bid.value()));
        Files.write(bridgeBundle.resolve("config.json"), Json.pretty(bridged.root()));
        long tb = System.nanoTime();
        long bpid = networks.attachDuring(bid.value(), new NetworkPlan("bench", List.of(network), List.of(), List.of()),
                () -> driver.create(bid, bridgeBundle, work.resolve("agent.log")), () -> {
                    driver.delete(bid, true);
                    return null;
                });
        var bexit = reaper.watch(bpid, bid.value());
        driver.start(bid);
        if (bexit.get() != 0) {
            throw new IllegalStateException("bridge run exited with status " + bexit.get());
        }
        long run = (System.nanoTime() - tb) / 1_000_000;
        driver.delete(bid, true);
        long td = System.nanoTime();
        networks.detach(bid.value());
        return new long[] {run, (System.nanoTime() - td) / 1_000_000};
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE)
                .redirectInput(new File("/dev/null")).start();
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + err);
        }
    }
}
