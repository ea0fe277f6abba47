package dev.edgeagent.agent;

import dev.edgeagent.agent.systemd.SdNotify;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.ImageRef;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.tinylog.Logger;

/** The device side's command line: the daemon ({@code run}), provisioning, the host check, an on-site pull check. */
public final class Main {
    static final String USAGE = """
            usage: edgeagent run [--config FILE]                                run the agent (default config /etc/edgeagent/config.json)
                   edgeagent provision --device-id ID --broker ssl://HOST:PORT --ca CA.pem --cert DEV.pem --key DEV.key
                                       --trust trust.json [--profile NAME] [--group G]... [--insecure-registry HOST:PORT]...
                                       [--config FILE] [--force]
                                                  check the files, connect once, then write the configuration and
                                                  copies of the files beside it (default /etc/edgeagent/config.json)
                                                  exit 2 usage, 3 broker unreachable or refused, 4 a bad file,
                                                  5 already provisioned (--force replaces)
                   edgeagent pull REF --config FILE [--platform os/arch[/v]] [--unpack-to DIR]
                                                  pull, verify and test-unpack an image (kept in DIR if given);
                                                  prints the reference pinned by digest
                   edgeagent doctor [--config FILE]                             check this host and print each problem with its fix
                   edgeagent version                                            print the version
                   edgeagent --help                                             print this
            """;
    static final Path DEFAULT_CONFIG = Path.of("/etc/edgeagent/config.json");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** A usage error: the one line that matters, and where the rest is. */
    private static int usage(String problem) {
        System.err.println("edgeagent: " + problem + " (edgeagent --help shows the usage)");
        return 2;
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
            return usage("doctor takes only --config FILE");
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
            return usage("pull: " + e.getMessage());
        }
    }

    private static int provision(String[] args) {
        try {
            var request = dev.edgeagent.agent.provision.ProvisionRequest.parse(java.util.List.of(args).subList(1, args.length));
            dev.edgeagent.agent.provision.Provisioner.provision(request, dev.edgeagent.agent.provision.BrokerProbe::connect, System.out);
            return 0;
        } catch (dev.edgeagent.agent.provision.ProvisionException e) {
            if (e.exitCode() == dev.edgeagent.agent.provision.ProvisionException.USAGE) {
                return usage("provision: " + e.getMessage());
            }
            System.err.println("edgeagent provision: " + e.getMessage() + "; nothing was written");
            return e.exitCode();
        }
    }

    static int run(String[] args) {
        if (args.length == 0) {
            return usage("which command? run, provision, pull, doctor or version");
        }
        switch (args[0]) {
            case "--help", "-h", "help" -> {
                System.out.print(USAGE);
                return 0;
            }
            case "version", "--version" -> {
                System.out.println("edgeagent " + dev.edgeagent.agent.status.StatusReporter.AGENT_VERSION);
                return 0;
            }
            case "pull" -> {
                return args.length >= 2 ? pull(args) : usage("pull needs an image reference and --config FILE");
            }
            case "doctor" -> {
                return doctor(args);
            }
            case "provision" -> {
                return provision(args);
            }
            case "run" -> {
                if (args.length == 1) {
                    return daemon(DEFAULT_CONFIG);
                }
                if (args.length == 3 && args[1].equals("--config")) {
                    return daemon(Path.of(args[2]));
                }
                return usage("run takes only --config FILE");
            }
            default -> {
                return usage("unknown command '" + args[0] + "'");
            }
        }
    }

    private static int daemon(Path configFile) {
        AgentConfig config;
        try {
            config = AgentConfig.load(configFile);
        } catch (Exception e) {
            System.err.println("edgeagent: " + e.getMessage());
            return 2;
        }
        SdNotify systemd = SdNotify.fromEnvironment();
        Agent agent;
        try {
            agent = Agent.start(config);
        } catch (Exception e) {
            Logger.error("edgeagent could not start: {}", e.getMessage());
            System.err.println("edgeagent: could not start: " + e.getMessage());
            return 1;
        }
        // Agent.start returns once connected to the broker and the status is out: what "ready" means to systemd.
        systemd.send("READY=1\nSTATUS=connected to " + config.broker());
        ProcessHandle.current().info().startInstant().ifPresent(began -> Logger.info("ready {} ms after the process started",
                java.time.Duration.between(began, java.time.Instant.now()).toMillis()));
        SdNotify.watchdogInterval(System.getenv(), ProcessHandle.current().pid())
                .ifPresent(every -> agent.watchdog(every, () -> systemd.send("WATCHDOG=1")));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Logger.info("stopping");
            systemd.send("STOPPING=1");
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
