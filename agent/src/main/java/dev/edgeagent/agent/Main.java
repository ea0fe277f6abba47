package dev.edgeagent.agent;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.tinylog.Logger;

/** {@code edgeagent run --config FILE}: the daemon's entry point. */
public final class Main {
    private static final String USAGE = """
            usage: edgeagent run --config FILE    run the agent
                   edgeagent version              print the version
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 1 && args[0].equals("version")) {
            System.out.println("edgeagent " + dev.edgeagent.agent.status.StatusReporter.AGENT_VERSION);
            return 0;
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
