package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.testkit.Tools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * The agent as a process of its own (a fresh JVM from the test's classpath) on a fixture's broker, registry and
 * root, for the crash-consistency kill loops: killed with SIGKILL and started again, its output appended to one log.
 */
final class AgentProcess implements AutoCloseable {
    final AgentFixture f;
    final Path config;
    final Path log;
    private Process process;
    /** The JVM's flags; a test may set its own (the launcher's collector, a heap ceiling). */
    List<String> jvmFlags = List.of("-Xmx64m");
    /** Where the log ended when the current process was started. */
    private long logStart;

    /** {@code trust}: the config's "trust" section ({@code allowUnsigned} or a {@code document}). */
    AgentProcess(AgentFixture f, Map<String, Object> trust) throws Exception {
        this.f = f;
        this.config = f.work.resolve("agent.json");
        this.log = f.work.resolve("agent.log");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("deviceId", f.device);
        c.put("broker", f.broker.uri());
        c.put("root", root().toString());
        c.put("runtimeStateRoot", f.work.resolve("runc").toString());
        c.put("runtime", Tools.require("runc", "runc").toString());
        c.put("localSocket", f.work.resolve("agent.sock").toString());
        c.put("insecureRegistries", List.of(f.registry.host()));
        c.put("trust", trust);
        Files.writeString(config, new String(Json.pretty(c)));
    }

    static AgentProcess lab(AgentFixture f) throws Exception {
        return new AgentProcess(f, Map.of("allowUnsigned", true));
    }

    Path root() {
        return f.work.resolve("root");
    }

    /** Starts the agent and waits until it is connected to the broker. */
    void start() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        logStart = Files.exists(log) ? Files.size(log) : 0;
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.edgeagent.agent.Main", "run", "--config", config.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(new File("/dev/null")).start();
        Awaitility.await("the agent connects").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> sinceStart().contains("connected to"));
    }

    /** SIGKILL, as a power cut or the OOM killer would end it (Process.destroyForcibly sends SIGKILL on Linux). */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor();
    }

    void restart() throws Exception {
        kill();
        start();
    }

    /** What the current process has written so far. */
    String sinceStart() throws Exception {
        String all = Files.readString(log);
        return all.substring((int) Math.min(logStart, all.length()));
    }

    String wholeLog() throws Exception {
        return Files.readString(log);
    }

    static int count(String text, String needle) {
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    /** The app's record in root/state/apps.json; empty if there is none. */
    @SuppressWarnings("unchecked")
    Map<String, Object> record(String app) throws Exception {
        Path apps = root().resolve("state/apps.json");
        if (!Files.exists(apps)) {
            return Map.of();
        }
        Map<String, Object> all = (Map<String, Object>) Json.object(Files.readAllBytes(apps)).get("apps");
        return (Map<String, Object>) all.getOrDefault(app, Map.of());
    }

    boolean isRunning(String container) throws Exception {
        String state = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root", f.work.resolve("runc").toString(),
                "state", container), 10).stdout();
        return state.contains("\"status\": \"running\"") || state.contains("\"status\":\"running\"");
    }

    /**
     * The app runs exactly its recorded generation, one of {@code images}, whole: that container and no other of
     * the app's under runc, one generation folder and no staging folder.
     */
    void assertOneWholeGeneration(String app, Set<String> images, String what) throws Exception {
        try {
            Awaitility.await(what + ": " + app + " runs again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "RUNNING".equals(record(app).get("phase")) && f.containers().contains(String.valueOf(record(app).get("container")))
                            && isRunning(String.valueOf(record(app).get("container"))));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // The fixture's folder goes with the test: say here what the agent saw.
            String since = sinceStart();
            throw new AssertionError(what + ": " + app + " does not run again; record " + record(app) + ", containers " + f.containers()
                    + "; the agent's log since its start:\n" + since.substring(Math.max(0, since.length() - 12_000)), e);
        }
        Map<String, Object> rec = record(app);
        assertTrue(images.contains(rec.get("image")), what + ": " + rec);
        String container = String.valueOf(rec.get("container"));
        List<String> containers = f.containers().stream().filter(c -> c.startsWith(app + "-")).toList();
        assertEquals(List.of(container), containers, what + ": exactly the recorded container runs");
        Path gens = root().resolve("apps").resolve(app);
        try (Stream<Path> s = Files.list(gens)) {
            assertEquals(List.of(String.valueOf(rec.get("generation"))), s.map(p -> p.getFileName().toString()).toList(),
                    what + ": one generation folder, no staging");
        }
        Path bundle = gens.resolve(String.valueOf(rec.get("generation")));
        assertTrue(Files.isRegularFile(bundle.resolve("config.json")) && Files.isRegularFile(bundle.resolve("rootfs/bin/busybox")),
                what + ": the generation is whole");
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }
}
