package dev.edgeagent.agent;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.testkit.Mosquitto;
import dev.edgeagent.testkit.Registry;
import dev.edgeagent.testkit.Tools;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;

/**
 * One device under test: a real mosquitto and docker-registry on loopback, an agent driving real runc, and a
 * client outside the JVM (mosquitto_pub/sub). Everything it starts, it stops; every container it leaves, it removes.
 */
final class AgentFixture implements AutoCloseable {
    final String device;
    final Path work;
    Mosquitto broker;
    final Registry registry;
    final MqttCli mqtt;
    final MqttCli.Subscription replies;
    final MqttCli.Subscription events;
    final Set<String> insecure = new LinkedHashSet<>();
    AgentConfig config;
    /** A built-in profile name or a profile file; read when the agent starts. */
    String profile = "generic-x86_64";
    /** The groups whose desired state the agent follows. */
    List<String> groups = List.of();
    /** Lab mode unless a test provisions a trust document. */
    AgentConfig.Trust trust = AgentConfig.Trust.LAB;
    Agent agent;
    /** The disk reserve the agent keeps; negative: the default. */
    long diskReserveBytes = -1;

    AgentFixture(String device) throws Exception {
        Tools.require("runc", "runc");
        this.device = device;
        this.work = Path.of(System.getProperty("java.io.tmpdir"), "edgeagent-" + device + "-" + ProcessHandle.current().pid());
        Trees.deleteRecursively(work);
        Files.createDirectories(work);
        broker = Mosquitto.start(Files.createDirectories(work.resolve("broker")));
        registry = Registry.start(Files.createDirectories(work.resolve("registry")));
        insecure.add(registry.host());
        mqtt = new MqttCli(broker.port());
        replies = mqtt.subscribe("edge/" + device + "/reply/test");
        events = mqtt.subscribePersistent("edge/" + device + "/events", "test-events-" + device);
    }

    /** A fixture with the demo image pushed and the agent started; {@link #demo} is its pinned reference. */
    static AgentFixture withDemo(String device, List<String> groups) throws Exception {
        AgentFixture f = new AgentFixture(device);
        f.groups = groups;
        f.demo = f.registry.pushDemoImage(f.work.resolve("image"), "demo");
        f.startAgent();
        return f;
    }

    /** The demo image, pinned, when made by {@link #withDemo}. */
    String demo;

    /** The broker URI the agent is given, when not the broker itself (a proxy in front of it); null: the broker. */
    private URI brokerOverride;

    void broker(URI uri) {
        brokerOverride = uri;
    }

    void startAgent() throws Exception {
        AgentConfig base = AgentConfig.of(new DeviceId(device), brokerOverride != null ? brokerOverride : URI.create(broker.uri()), work.resolve("root"),
                Tools.require("runc", "runc"), work.resolve("runc"), insecure);
        config = new AgentConfig(base.deviceId(), base.broker(), base.root(), base.runtimeBinary(), base.runtimeStateRoot(), profile,
                base.insecureRegistries(), base.registryCaBundle(), base.registryCredentials(), base.maxOrderBytes(),
                base.logMaxBytes(), base.logKeep(), base.mqttTls(), groups, base.localSocket(), diskReserveBytes >= 0 ? diskReserveBytes : base.diskReserveBytes(), trust, base.statusIntervalSeconds());
        agent = Agent.start(config);
    }

    /** Stops the broker and starts it again on the same port, with the sessions it saved. */
    void stopBroker() throws Exception {
        broker.close();
    }

    void startBroker() throws Exception {
        broker = Mosquitto.start(work.resolve("broker"), broker.port());
    }

    void stopAgent() {
        agent.close();
        agent = null;
    }

    /** Publishes {@code payload} (the order's JSON body without braces' id) to cmd/deploy and returns the reply. */
    Map<String, Object> deploy(String id, String app, String image, String extra) throws Exception {
        String payload = "{\"id\":\"" + id + "\",\"app\":\"" + app + "\",\"image\":\"" + image + "\"" + extra + "}";
        mqtt.publish("edge/" + device + "/cmd/deploy", payload, "edge/" + device + "/reply/test", id);
        return Json.object(replies.next("\"" + id + "\"", 120).getBytes());
    }

    /** Sends any command with a response topic and returns its reply. */
    Map<String, Object> command(String command, String payload, String id) throws Exception {
        mqtt.publish("edge/" + device + "/cmd/" + command, payload, "edge/" + device + "/reply/test", id);
        return Json.object(replies.next("\"" + id + "\"", 60).getBytes());
    }

    /** The next event of {@code app} of {@code type}. */
    Map<String, Object> event(String app, String type, long timeoutSeconds) throws Exception {
        while (true) {
            Map<String, Object> e = Json.object(events.next("\"type\":\"" + type + "\"", timeoutSeconds).getBytes());
            if (app.equals(e.get("app"))) {
                return e;
            }
        }
    }

    Path log(String app) {
        return config.root().resolve("logs/" + app + "/" + app + ".log");
    }

    /** The "key: value" lines an app printed, once {@code marker} appears {@code times} times in its log. */
    Map<String, String> lines(String app, String marker, int times) throws IOException {
        Path log = log(app);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log)
                && Files.readString(log).split(java.util.regex.Pattern.quote(marker), -1).length > times);
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                values.put(line.substring(0, colon), line.substring(colon + 2).strip());
            }
        }
        return values;
    }

    List<String> containers() throws Exception {
        String out = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root", work.resolve("runc").toString(),
                "list", "-q"), 30).stdout().strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    long pidOf(String container) throws Exception {
        String state = Tools.run(List.of(Tools.require("runc", "runc").toString(), "--root", work.resolve("runc").toString(),
                "state", container), 30).orThrow("runc state").stdout();
        return ((Number) Json.object(state.getBytes()).get("pid")).longValue();
    }

    /**
     * Kills and removes a test's container so it stops holding one of the host's user namespaces (some hosts allow
     * only a handful). Deploy such apps with restart "no", or the supervisor starts them again.
     */
    void discard(String container) throws Exception {
        Path runc = Tools.require("runc", "runc");
        Tools.run(List.of(runc.toString(), "--root", work.resolve("runc").toString(), "delete", "--force", container), 30);
    }

    /** The retained status document, read with mosquitto_sub. */
    Map<String, Object> status(String mustContain) throws Exception {
        try (MqttCli.Subscription s = mqtt.subscribe("edge/" + device + "/status")) {
            return Json.object(s.next(mustContain, 20).getBytes());
        }
    }

    /**
     * The device's cgroup parent, which the agent makes and (as on a device) keeps: empty once its containers are
     * gone, removed with rmdir in every hierarchy (v2's one, or each v1 controller's).
     */
    static void removeCgroupParents(String device) throws IOException {
        String parent = dev.edgeagent.runtime.spec.HardenedSpec.cgroupParent(device).substring(1);
        List<Path> candidates = new java.util.ArrayList<>(List.of(Path.of("/sys/fs/cgroup", parent)));
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            controllers.forEach(c -> candidates.add(c.resolve(parent)));
        }
        for (Path dir : candidates) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // still in use (a container outlived its test) or not a cgroup folder: left as it is
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (agent != null) {
            agent.close();
        }
        Path runc = Tools.require("runc", "runc");
        for (String id : containers()) {
            Tools.run(List.of(runc.toString(), "--root", work.resolve("runc").toString(), "delete", "--force", id), 30);
        }
        for (AutoCloseable c : new AutoCloseable[] {replies, events, registry, broker}) {
            c.close();
        }
        removeCgroupParents(device);
        Trees.deleteRecursively(work);
    }
}
