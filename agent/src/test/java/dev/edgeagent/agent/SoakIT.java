package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.registry.TransportSettings;
import dev.edgeagent.ota.sign.CosignPublisher;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.ImageRule;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.Role;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.SigningKey;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.VerificationKey;
import dev.edgeagent.testkit.Tools;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The soak, short: the agent as launched by default on an emulated 512 MiB device (the launcher's own flags), a
 * separate process under a trust document, takes signed orders at a steady rate (pings, log reads, and every tenth
 * a stop or start of an app) while one app crash-loops and another logs as fast as it can. Its RSS, threads, open
 * file descriptors, disk use and the crash-looping app's restart delay are sampled; at the end each must be bounded
 * and the slopes are printed. Every order must be answered, done, and done once.
 * {@code -Dedgeagent.soakSeconds} (60 in the suite), {@code -Dedgeagent.soakRate} (10 orders/s) and
 * {@code -Dedgeagent.soakSampleSeconds} (5); bench/soak runs it for an hour.
 */
class SoakIT {
    static final SigningKey ROOT = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey OPERATOR = SigningKey.generate(KeyKind.ECDSA_P256);
    static final SigningKey BUILDER = SigningKey.generate(KeyKind.ED25519);
    static final Pattern BACKOFF = Pattern.compile("app=crashy container \\S+ .*; restarting in (\\d+) ms");
    /** The agent's log rotation: at most this many bytes per file and this many rotated files besides. */
    static final long LOG_MAX_BYTES = 1 << 20;
    static final int LOG_KEEP = 2;
    /**
     * The logging app writes as fast as a quarter of a CPU lets it (tens of thousands of lines a second, as an app
     * on a device would under its own limit); unlimited, on this 2-core host it and the agent draining it took
     * both cores from every other part of the soak.
     */
    static final String CHATTY_CPUS = "0.25";
    /**
     * Every 50th order stops or starts an app (one change every 5 s at 10 orders/s); the rest are read-only. A change a
     * second, each a runc stop or start, was more than this loaded 2-core host could carry: the agent fell 6,000 orders
     * behind in 30 minutes and the broker's queue for it overflowed. The soak measures leaks, not throughput.
     */
    static final int CHANGE_EVERY = 50;
    /** The soak fails at once when an order waits longer than this for its reply: the agent is not keeping up. */
    static final Duration MAX_LAG = Duration.ofSeconds(120);

    static AgentFixture f;
    static Path config;
    static Process agent;
    static MqttClient operator;
    static final Map<String, Map<String, Object>> replies = new ConcurrentHashMap<>();
    static final Map<String, Integer> answeredTwice = new ConcurrentHashMap<>();
    static long sequence = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("soak");
        String registry = f.registry.host();
        Map<KeyId, VerificationKey> keys = new HashMap<>();
        for (SigningKey k : List.of(ROOT, OPERATOR, BUILDER)) {
            keys.put(k.id(), k.publicKey());
        }
        TrustDocument trust = new TrustDocument(1, Instant.now(), keys, new Role(Set.of(ROOT.id()), 1),
                new Role(Set.of(OPERATOR.id()), 1), List.of(new ImageRule(registry + "/*", Optional.of(new Role(Set.of(BUILDER.id()), 1)))));
        Path trustFile = f.work.resolve("trust.json");
        Files.write(trustFile, Envelope.sign(TrustDocument.PAYLOAD_TYPE, trust.toJson(), List.of(ROOT)).toJson());
        config = f.work.resolve("agent.json");
        Files.writeString(config, new String(Json.pretty(Map.ofEntries(Map.entry("deviceId", "soak"), Map.entry("broker", f.broker.uri()),
                Map.entry("root", f.work.resolve("root").toString()), Map.entry("runtimeStateRoot", f.work.resolve("runc").toString()),
                Map.entry("runtime", Tools.require("runc", "runc").toString()), Map.entry("localSocket", f.work.resolve("agent.sock").toString()),
                Map.entry("insecureRegistries", List.of(registry)), Map.entry("logMaxBytes", LOG_MAX_BYTES), Map.entry("logKeep", LOG_KEEP),
                Map.entry("trust", Map.of("document", trustFile.toString()))))));
        agent = launch();
        // Its first session has no subscriptions until it has connected: an order published before then is dropped
        // by the broker (CI once sent the first deploy 0.1 s too early, on a loaded host where the agent took 3.6 s to start).
        Awaitility.await("the agent connects").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(f.work.resolve("agent.log")) && Files.readString(f.work.resolve("agent.log")).contains("connected to"));
        operator = connect();
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.disconnect();
            operator.close();
        }
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor();
            }
        }
        if (f != null) {
            f.close();
        }
    }

    /** The agent with the flags bin/edgeagent gives it on a 512 MiB device, from the test's own classpath. */
    static Process launch() throws Exception {
        ProcessBuilder flagsOf = new ProcessBuilder(Tools.repoRoot().resolve("bin/edgeagent").toString(), "--print-java-flags");
        flagsOf.environment().put("EDGEAGENT_RAM_MB", "512");
        flagsOf.environment().put("EDGEAGENT_CDS", "off"); // the class-data archive is the packaged jar's, not this classpath's
        Process p = flagsOf.redirectErrorStream(true).start();
        String flags = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "bin/edgeagent --print-java-flags: " + flags);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(flags.split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.edgeagent.agent.Main", "run", "--config", config.toString()));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(f.work.resolve("agent.log").toFile())).redirectInput(new File("/dev/null"));
        b.environment().put("MALLOC_ARENA_MAX", "2"); // as the launcher sets it
        return b.start();
    }

    static MqttClient connect() throws Exception {
        MqttClient client = new MqttClient(f.broker.uri(), "soak-operator", new MemoryPersistence());
        client.setCallback((OnMessage) (topic, m) -> {
            Map<String, Object> reply = Json.object(m.getPayload());
            if (replies.putIfAbsent(String.valueOf(reply.get("id")), reply) != null) {
                answeredTwice.merge(String.valueOf(reply.get("id")), 1, Integer::sum);
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setReceiveMaximum(1000);
        client.connect(o);
        client.subscribe("edge/soak/reply/soak", 1);
        return client;
    }

    static void send(String command, String id, String fields) throws MqttException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        byte[] order = ("{\"id\":\"" + id + "\"" + fields + "}").getBytes(StandardCharsets.UTF_8);
        byte[] wire = new SignedOrder("soak", command, now, now.plusSeconds(600), ++sequence, order).signWith(List.of(OPERATOR)).toJson();
        MqttProperties props = new MqttProperties();
        props.setResponseTopic("edge/soak/reply/soak");
        operator.publish("edge/soak/cmd/" + command, new MqttMessage(wire, 1, false, props));
    }

    static Map<String, Object> await(String id, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> r = replies.get(id);
            if (r != null) {
                return r;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no reply to " + id + " within " + seconds + " s; agent log:\n" + tail(f.work.resolve("agent.log"), 30));
    }

    static Map<String, Object> deploy(String app, String image, String restart, String cpus) throws Exception {
        send("deploy", "deploy-" + app, ",\"app\":\"" + app + "\",\"image\":\"" + image + "\",\"restart\":\"" + restart
                + "\",\"resources\":{\"memoryBytes\":33554432,\"pids\":32,\"cpus\":" + cpus + "}");
        return await("deploy-" + app, 180);
    }

    @Test
    void aSteadyLoadWithACrashLoopAndAFloodOfLogsLeavesTheAgentFlat() throws Exception {
        int seconds = Integer.getInteger("edgeagent.soakSeconds", 60);
        int rate = Integer.getInteger("edgeagent.soakRate", 10);
        int sampleSeconds = Integer.getInteger("edgeagent.soakSampleSeconds", 5);
        CosignPublisher signer = new CosignPublisher(RegistryClient.create(TransportSettings.insecure(Set.of(f.registry.host()))));
        String steady = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
        String crashy = TestImages.push(f, "crashy", List.of("/bin/sh", "-c", "echo 'crashy: up'; sleep 0.2; exit 3"), null);
        String chatty = TestImages.push(f, "chatty", List.of("/bin/sh", "-c",
                "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo \"chatty: line $i, a log written as fast as the app can\"; done"), null);
        for (String image : List.of(steady, crashy, chatty)) {
            signer.sign(ImageRef.parse(image), BUILDER);
        }
        assertEquals(true, deploy("steady", steady, "always", "0.5").get("ok"), replies.toString());
        assertEquals(true, deploy("crashy", crashy, "always", "0.5").get("ok"), replies.toString());
        assertEquals(true, deploy("chatty", chatty, "always", CHATTY_CPUS).get("ok"), replies.toString());

        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        long nextSample = t0;
        int sent = 0;
        boolean steadyRunning = true;
        List<String> changes = new ArrayList<>();
        while (System.nanoTime() - t0 < Duration.ofSeconds(seconds).toNanos()) {
            long due = t0 + sent * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String id = "soak-" + sent;
            if (sent % CHANGE_EVERY == 0) {
                steadyRunning = !steadyRunning;
                send(steadyRunning ? "start" : "stop", id, ",\"app\":\"steady\"");
                changes.add(id);
            } else if (sent % 10 == 5) { // read-only, answered beside operations
                send("logs", id, ",\"app\":\"chatty\",\"tail\":5");
            } else {
                send("ping", id, "");
            }
            sent++;
            if (System.nanoTime() >= nextSample) {
                long behind = sent - replies.keySet().stream().filter(k -> k.startsWith("soak-")).count();
                String oldest = "soak-" + Math.max(0, sent - 1 - (int) (MAX_LAG.toSeconds() * rate));
                if (sent > MAX_LAG.toSeconds() * rate && !replies.containsKey(oldest)) {
                    throw new AssertionError("the agent is not keeping up: " + oldest + " has waited over " + MAX_LAG.toSeconds()
                            + " s for its reply, " + behind + " orders unanswered; agent log:\n" + tail(f.work.resolve("agent.log"), 20));
                }
                samples.add(Sample.of(agent.pid(), (System.nanoTime() - t0) / 1e9, f.work.resolve("root"), f.work.resolve("agent.log")));
                nextSample += Duration.ofSeconds(sampleSeconds).toNanos();
            }
        }
        long elapsed = System.nanoTime() - t0;
        samples.add(Sample.of(agent.pid(), elapsed / 1e9, f.work.resolve("root"), f.work.resolve("agent.log")));
        for (int i = 0; i < sent; i++) {
            await("soak-" + i, 120);
        }
        assertTrue(agent.isAlive(), "the agent died during the soak");
        List<String> failed = new ArrayList<>();
        int twice = answeredTwice.values().stream().mapToInt(Integer::intValue).sum();
        for (int i = 0; i < sent; i++) {
            Map<String, Object> r = replies.get("soak-" + i);
            if (!Boolean.TRUE.equals(r.get("ok"))) {
                failed.add(r.toString());
            }
        }
        Path csv = Path.of(System.getProperty("edgeagent.soakCsv", f.work.resolve("soak.csv").toString()));
        Sample.write(samples, csv);
        Sample first = samples.get(Math.min(samples.size() - 1, samples.size() / 5)); // after the warm-up fifth
        Sample last = samples.get(samples.size() - 1);
        List<Sample> settled = samples.subList(samples.size() / 5, samples.size());
        List<Long> backoffs = backoffs(f.work.resolve("agent.log"));
        long chattyLogBytes = directoryBytes(f.work.resolve("root/logs/chatty"));
        System.err.printf("soak: %d s, %d signed orders (%.1f/s; %d stops/starts), %d failed, %d answered twice; samples %d; "
                + "rss %.1f -> %.1f MiB (slope %+.2f MiB/h), threads %d -> %d (%+.2f/h), fds %d -> %d (%+.2f/h), disk %.1f -> %.1f MiB "
                + "(%+.2f MiB/h); unreaped children at most %d; crashy restarts %d, delays %s ms; chatty's log %.1f MiB on disk, "
                + "%d lines read by the agent%n",
                elapsed / 1_000_000_000L, sent, sent / (elapsed / 1e9), changes.size(), failed.size(), twice, samples.size(),
                first.rssMib(), last.rssMib(), Sample.slopePerHour(settled, Sample::rssMib), first.threads(), last.threads(),
                Sample.slopePerHour(settled, s -> s.threads()), first.fds(), last.fds(), Sample.slopePerHour(settled, s -> s.fds()),
                first.diskMib(), last.diskMib(), Sample.slopePerHour(settled, Sample::diskMib),
                samples.stream().mapToInt(Sample::zombies).max().orElse(0), backoffs.size(), backoffs,
                chattyLogBytes / 1048576.0, chattyLines(f.work.resolve("root/logs/chatty")));

        assertEquals(List.of(), failed, "every order done");
        assertEquals(0, twice, "no order answered twice");
        // The last change took effect: the steady app runs, or does not, as the last start or stop said.
        String last10 = changes.get(changes.size() - 1);
        assertEquals(steadyRunning, f.containers().stream().anyMatch(c -> c.startsWith("steady-")), "steady after " + last10);
        // Bounded, whatever the length of the run: a leak of one thread, fd or container per order or per restart shows.
        int maxThreads = settled.stream().mapToInt(Sample::threads).max().orElseThrow();
        assertTrue(last.threads() <= first.threads() + 3 && maxThreads <= first.threads() + 6, "threads " + first.threads() + " -> "
                + last.threads() + " (max " + maxThreads + ")");
        assertTrue(last.fds() <= first.fds() + 8, "open fds " + first.fds() + " -> " + last.fds());
        // A container process that ended is waited for at once (the reaper polls every 200 ms): none piles up.
        assertTrue(samples.stream().allMatch(s -> s.zombies() <= 1), "unreaped children of the agent: "
                + samples.stream().map(Sample::zombies).toList());
        assertTrue(f.containers().size() <= 3, "containers: " + f.containers());
        assertTrue(chattyLogBytes <= LOG_MAX_BYTES * (LOG_KEEP + 1) + 65536, "chatty's logs take " + chattyLogBytes + " bytes");
        // The crash loop backs off, doubling up to its cap, and never falls back to a hot loop while it keeps failing.
        assertTrue(backoffs.size() >= 2, "crashy restarted " + backoffs);
        for (int i = 1; i < backoffs.size(); i++) {
            assertTrue(backoffs.get(i) >= backoffs.get(i - 1), "restart delays never shrink while the app keeps crashing: " + backoffs);
        }
    }

    static List<Long> backoffs(Path log) throws IOException {
        List<Long> delays = new ArrayList<>();
        Matcher m = BACKOFF.matcher(Files.readString(log));
        while (m.find()) {
            delays.add(Long.parseLong(m.group(1)));
        }
        return delays;
    }

    /** Bytes in the files under {@code dir}; the agent's temp files come and go while it is walked. */
    static long directoryBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                total[0] += attrs.isRegularFile() ? attrs.size() : 0;
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE; // gone meanwhile (a temp file renamed into place)
            }
        });
        return total[0];
    }

    /** The chatty app's highest line number still on disk: how much log the agent drained, rotated away or not. */
    static long chattyLines(Path dir) throws IOException {
        Path current = dir.resolve("chatty.log");
        if (!Files.exists(current)) {
            return 0;
        }
        Matcher m = Pattern.compile("chatty: line (\\d+),").matcher(tail(current, 3));
        long max = 0;
        while (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
        }
        return max;
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /** One look at the agent process: seconds into the soak, RSS, threads, open fds, bytes under its root. */
    record Sample(double seconds, double rssMib, int threads, int fds, int zombies, double diskMib, long lastBackoffMillis) {
        static Sample of(long pid, double seconds, Path root, Path agentLog) throws IOException {
            Path proc = Path.of("/proc", Long.toString(pid));
            double rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            int fds;
            try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
                fds = (int) s.count();
            }
            List<Long> b = backoffs(agentLog);
            return new Sample(seconds, rss, threads, fds, zombieChildren(pid), directoryBytes(root) / 1048576.0,
                    b.isEmpty() ? 0 : b.get(b.size() - 1));
        }

        /** Children of {@code pid} that ended and were not waited for: the agent is its containers' subreaper. */
        static int zombieChildren(long pid) throws IOException {
            String parent = Long.toString(pid);
            int zombies = 0;
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        if (after[0].equals("Z") && after[1].equals(parent)) {
                            zombies++;
                        }
                    } catch (IOException gone) {
                        // ended and reaped meanwhile
                    }
                }
            }
            return zombies;
        }

        /** Least squares over the samples, per hour. */
        static double slopePerHour(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value) {
            double n = samples.size();
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            for (Sample s : samples) {
                double x = s.seconds() / 3600;
                double y = value.applyAsDouble(s);
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            double d = n * sxx - sx * sx;
            return d == 0 ? 0 : (n * sxy - sx * sy) / d;
        }

        static void write(List<Sample> samples, Path csv) throws IOException {
            StringBuilder b = new StringBuilder("seconds,rss_mib,threads,fds,zombies,disk_mib,crashy_backoff_ms\n");
            for (Sample s : samples) {
                b.append(String.format("%.0f,%.1f,%d,%d,%d,%.1f,%d%n", s.seconds(), s.rssMib(), s.threads(), s.fds(), s.zombies(),
                        s.diskMib(), s.lastBackoffMillis()));
            }
            Files.createDirectories(csv.toAbsolutePath().getParent());
            Files.writeString(csv, b);
        }
    }
}
