package dev.edgeagent.agent;

import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ImageRef;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.tinylog.Logger;

/** {@code edgeagent run --config FILE}: the daemon's entry point. */
public final class Main {
    private static final String USAGE = """
            usage: edgeagent run --config FILE                                  run the agent
                   edgeagent pull REF --config FILE [--platform os/arch[/v]] [--unpack-to DIR]
                                                  pull, verify and test-unpack an image (kept in DIR if given);
                                                  prints the reference pinned by digest
                   edgeagent doctor [--config FILE]                             check this host and print each problem with its fix
                   edgeagent version                                            print the version
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    private static int doctor(String[] args) {
        Path root = AgentConfig.DEFAULT_ROOT;
        dev.edgeagent.profiles.RuntimePreference preference = dev.edgeagent.profiles.RuntimePreference.AUTO;
        java.util.Optional<Path> runtime = java.util.Optional.empty();
        if (args.length == 3 && args[1].equals("--config")) {
            try {
                AgentConfig config = AgentConfig.load(Path.of(args[2]));
                root = config.root();
                runtime = config.runtimeBinary();
                preference = dev.edgeagent.profiles.DeviceProfiles.load(config.profile()).runtime();
            } catch (Exception e) {
                System.err.println("edgeagent doctor: " + e.getMessage());
                return 2;
            }
        } else if (args.length != 1) {
            System.err.print(USAGE);
            return 2;
        }
        var findings = new java.util.ArrayList<>(dev.edgeagent.agent.doctor.Doctor.evaluate(
                dev.edgeagent.agent.doctor.HostProbe.probe(root, preference, runtime)));
        findings.addAll(dev.edgeagent.agent.doctor.NetworkDoctor.evaluate(dev.edgeagent.agent.doctor.NetworkProbe.probe()));
        findings.forEach(f -> System.out.println(f.line()));
        boolean healthy = dev.edgeagent.agent.doctor.Doctor.healthy(findings);
        System.out.println(healthy ? "this host can run edgeagent" : "this host cannot run edgeagent until the FAIL lines are fixed");
        return healthy ? 0 : 1;
    }

    private static int pull(String[] args) {
        String configFile = null;
        Platform platform = null;
        Path unpackTo = null;
        try {
            for (int i = 2; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--config" -> configFile = args[i + 1];
                    case "--platform" -> platform = Platform.parse(args[i + 1]);
                    case "--unpack-to" -> unpackTo = Path.of(args[i + 1]).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (configFile == null) {
                throw new IllegalArgumentException("--config is required");
            }
            ImageRef ref = ImageRef.parse(args[1]);
            AgentConfig config = AgentConfig.load(Path.of(configFile));
            if (unpackTo != null && java.nio.file.Files.exists(unpackTo)) {
                throw new IllegalArgumentException("--unpack-to " + unpackTo + " already exists");
            }
            return PullCheck.run(config, ref, platform != null ? platform : Platform.host(), java.util.Optional.ofNullable(unpackTo),
                    System.out, System.err);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("edgeagent pull: " + e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
    }

    static int run(String[] args) {
        if (args.length == 1 && args[0].equals("version")) {
            System.out.println("edgeagent " + dev.edgeagent.agent.status.StatusReporter.AGENT_VERSION);
            return 0;
        }
        if (args.length >= 4 && args[0].equals("pull")) {
            return pull(args);
        }
        if (args.length >= 1 && args[0].equals("doctor")) {
            return doctor(args);
        }
        if (args.length != 3 || !args[0].equals("run") || !args[1].equals("--config")) {
            System.err.print(USAGE);
            return 2;
        }
        AgentConfig config;
        try {
            config = AgentConfig.load(Path.of(args[2]));
        } catch (Exception e) {
            System.err.println("edgeagent: " + e.getMessage());
            return 2;
        }
        Agent agent;
        try {
            agent = Agent.start(config);
        } catch (Exception e) {
            Logger.error("edgeagent could not start: {}", e.getMessage());
            System.err.println("edgeagent: could not start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Logger.info("stopping");
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
