package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.NetworkGrant;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.network.AppNetworks;
import dev.edgeagent.runtime.network.Attachment;
import dev.edgeagent.runtime.network.BridgeNetwork;
import dev.edgeagent.runtime.network.CniPlugins;
import dev.edgeagent.testkit.TarBuilder;
import dev.edgeagent.testkit.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bridge networks with real runc and the CNI plugins: apps on one named network reach each other by name, apps on
 * another do not, a published port answers on the host's 127.0.0.1, egress is what the order allows and nothing
 * else, the host's loopback broker is out of reach, an agent restart keeps every app's network, and deploy/remove
 * cycles leave nothing behind. The only addresses touched are loopback and a namespace this test makes
 * ({@code 198.51.100.0/24}, TEST-NET-2), named with a prefix of this run so cleanup finds exactly its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppNetworkIT {
    static final String SERVER_NET = "198.51.100.0/24";
    static final String SERVER = "198.51.100.10";
    static final String CYCLES = System.getProperty("edgeagent.netCycles", "20");
    static AgentFixture f;
    static String prefix;
    static String forwardBefore;
    static final List<Process> servers = new ArrayList<>();
    static String gatewayImage;
    static String probesImage;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("iptables", "iptables");
        for (String plugin : List.of("bridge", "host-local", "loopback", "portmap", "firewall")) {
            assertTrue(Files.isExecutable(CniPlugins.DEBIAN_PATH.resolve(plugin)), "CNI plugin " + plugin
                    + " is missing: apt-get install containernetworking-plugins");
        }
        prefix = "tn" + (ProcessHandle.current().pid() % 100000);
        forwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        f = new AgentFixture("netdev");
        Path profile = f.work.resolve("net-profile.json");
        Files.writeString(profile, Files.readString(Tools.repoRoot().resolve(
                "device-profiles/src/main/resources/dev/edgeagent/profiles/generic-x86_64.json"))
                .replace("\"egress\": []", "\"egress\": [\"" + SERVER_NET + "\"]"));
        f.profile = profile.toString();
        f.startAgent();
        serverNamespace();
    }

    /** A namespace of this test's own, on a veth pair, with one server on 7000 and one on 7001. */
    static void serverNamespace() throws Exception {
        for (String route : sh("ip -4 route").split("\n")) {
            assertFalse(route.startsWith("198.51.100."), "the host already routes " + SERVER_NET + ": " + route);
        }
        String ns = prefix + "s";
        sh("ip netns add " + ns + " && ip link add " + prefix + "h type veth peer name " + prefix + "n"
                + " && ip link set " + prefix + "n netns " + ns
                + " && ip addr add 198.51.100.1/24 dev " + prefix + "h && ip link set " + prefix + "h up"
                + " && ip netns exec " + ns + " ip addr add " + SERVER + "/24 dev " + prefix + "n"
                + " && ip netns exec " + ns + " ip link set " + prefix + "n up && ip netns exec " + ns + " ip link set lo up");
        for (int port : new int[] {7000, 7001}) {
            servers.add(new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "nc", "-ll", "-p", String.valueOf(port), "-e", "echo",
                    "pong-" + port).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (f != null) {
                if (f.agent != null) {
                    f.stopAgent();
                }
                for (String c : f.containers()) {
                    f.discard(c);
                }
                // Whatever the agent left (a failed test): undone with the agent's own code, then checked below.
                new AppNetworks(f.config.root().toString(), f.config.root().resolve("net"), new CniPlugins(CniPlugins.DEBIAN_PATH),
                        NetworkGrant.DEFAULT_POOL).removeLeftovers(Set.of());
            }
        } finally {
            servers.forEach(Process::destroyForcibly);
            shQuiet("ip link del " + prefix + "h; ip netns del " + prefix + "s");
            Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), forwardBefore);
            if (f != null) {
                f.close();
            }
        }
    }

    static String image(String name, String script) throws Exception {
        return TestImages.push(f, name, List.of("/bin/sh", "-c", script), null);
    }

    /** One probe line per step, "key: connected|refused", then the marker. */
    static String probe(String key, String host, String port) {
        return "if nc -w 2 " + host + " " + port + " </dev/null >/dev/null 2>&1; then echo '" + key + ": connected'; "
                + "else echo '" + key + ": refused'; fi; ";
    }

    @Test
    @Order(1)
    void appsOnOneNetworkReachEachOtherByNameAndOthersCannot() throws Exception {
        String b = image("netb", "echo 'b: up'; nc -ll -p 8080 -e echo pong-b");
        Map<String, Object> reply = f.deploy("op-b", "b", b, ",\"network\":\"bridge\",\"networks\":[\"plant\"],"
                + "\"ports\":[{\"host\":8080,\"container\":8080,\"proto\":\"tcp\",\"hostIp\":\"127.0.0.1\"}]");
        assertEquals(true, reply.get("ok"), reply.toString());
        String bAddress = attachment("b-1").firstAddress().orElseThrow();

        int broker = f.broker.port();
        String a = image("neta", "gw=$(ip route | awk '/default/ {print $3}'); while true; do "
                + "echo \"a-b: $(nc -w 2 b 8080 </dev/null 2>&1)\"; "
                + probe("a-loopback-broker", "127.0.0.1", String.valueOf(broker))
                + probe("a-gateway-broker", "$gw", String.valueOf(broker))
                + "echo \"a-e7000: $(nc -w 2 " + SERVER + " 7000 </dev/null 2>&1)\"; "
                + probe("a-e7001", SERVER, "7001")
                + "echo 'a: tick'; sleep 1; done");
        probesImage = a;
        reply = f.deploy("op-a", "a", a, ",\"network\":\"bridge\",\"networks\":[\"plant\"],\"egress\":[\"" + SERVER + "/32:7000/tcp\"]");
        assertEquals(true, reply.get("ok"), reply.toString());

        String c = image("netc", "while true; do " + probe("c-b-by-name", "b", "8080") + probe("c-b-by-address", bAddress, "8080")
                + "echo 'c: tick'; sleep 1; done");
        reply = f.deploy("op-c", "c", c, ",\"network\":\"bridge\",\"networks\":[\"other\"]");
        assertEquals(true, reply.get("ok"), reply.toString());

        Map<String, String> seenA = f.lines("a", "a: tick", 2);
        assertEquals("pong-b", seenA.get("a-b"), "a reaches b by name on network plant: " + seenA);
        Map<String, String> seenC = f.lines("c", "c: tick", 2);
        assertEquals("refused", seenC.get("c-b-by-name"), seenC.toString());
        assertEquals("refused", seenC.get("c-b-by-address"), "c on network other cannot reach b: " + seenC);
    }

    @Test
    @Order(2)
    void aPublishedPortAnswersOnTheHostsLoopback() throws Exception {
        assertEquals("pong-b", readLine("127.0.0.1", 8080));
        Map<String, Object> status = f.status("\"addresses\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) ((Map<String, Object>) status.get("apps")).get("b");
        String shown = String.valueOf(b.get("network"));
        assertTrue(shown.contains(attachment("b-1").firstAddress().orElseThrow()) && shown.contains("8080"), shown);
    }

    @Test
    @Order(3)
    void egressIsWhatTheOrderAllowsAndTheHostsLoopbackIsOutOfReach() throws Exception {
        Map<String, String> seen = f.lines("a", "a: tick", 3);
        assertEquals("pong-7000", seen.get("a-e7000"), "the allowed port answers: " + seen);
        assertEquals("refused", seen.get("a-e7001"), "another port of the same server is refused: " + seen);
        assertEquals("refused", seen.get("a-loopback-broker"), seen.toString());
        assertEquals("refused", seen.get("a-gateway-broker"), seen.toString());
        String other = BridgeNetwork.bridgeName(f.config.root().toString(), "other");
        for (String conf : List.of("all", "default", "lo", other)) {
            assertEquals("0", Files.readString(Path.of("/proc/sys/net/ipv4/conf/" + conf + "/route_localnet")).strip(), conf);
        }
        String nat = sh("iptables-save -t nat");
        for (String line : nat.split("\n")) {
            assertFalse(line.contains("DNAT") && line.contains("--to-destination 127."), "a rule DNATs to loopback: " + line);
        }
        // A new order cannot ask for egress beyond the profile's grant.
        String x = image("netx", "sleep 600");
        Map<String, Object> refused = f.deploy("op-x", "x", x, ",\"network\":\"bridge\",\"egress\":[\"0.0.0.0/0:443/tcp\"]");
        assertEquals("NOT_PERMITTED", refused.get("code"), refused.toString());
        refused = f.deploy("op-x2", "x", x, ",\"network\":\"bridge\",\"ports\":[{\"host\":80,\"container\":80}]");
        assertEquals("NOT_PERMITTED", refused.get("code"), refused.toString());
    }

    @Test
    @Order(4)
    void anAgentRestartKeepsEveryAppsNetwork() throws Exception {
        String before = Files.readString(attachmentFile("b-1")) + Files.readString(attachmentFile("a-1"));
        f.stopAgent();
        f.startAgent();
        assertEquals(before, Files.readString(attachmentFile("b-1")) + Files.readString(attachmentFile("a-1")));
        Map<String, String> seen = f.lines("a", "a: tick", countOf("a: tick") + 2);
        assertEquals("pong-b", seen.get("a-b"), seen.toString());
        assertEquals("pong-b", readLine("127.0.0.1", 8080));
    }

    @Test
    @Order(5)
    void deployRemoveCyclesLeaveNothingBehind() throws Exception {
        // A shell that ends on SIGTERM, so each remove is quick (pid 1 ignores signals it has no handler for).
        String image = image("netcyc", "trap 'exit 0' TERM; nc -ll -p 8080 -e echo pong-cyc & wait");
        String bridge = BridgeNetwork.bridgeName(f.config.root().toString(), "cyc");
        Set<String> veths = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        int cycles = Integer.parseInt(CYCLES);
        for (int i = 0; i < cycles; i++) {
            Map<String, Object> reply = f.deploy("op-cyc-" + i, "cyc", image, ",\"network\":\"bridge\",\"networks\":[\"cyc\"],"
                    + "\"ports\":[{\"host\":8081,\"container\":8080,\"hostIp\":\"127.0.0.1\"}],\"egress\":[\"" + SERVER + "/32:7000\"]");
            assertEquals(true, reply.get("ok"), reply.toString());
            Attachment at = attachment("cyc-1");
            addresses.add(at.firstAddress().orElseThrow());
            veths.addAll(hostInterfaces(at));
            Map<String, Object> removed = f.command("remove", "{\"id\":\"op-cyc-rm-" + i + "\",\"app\":\"cyc\"}", "op-cyc-rm-" + i);
            assertEquals(true, removed.get("ok"), removed.toString());
        }
        Path net = f.config.root().resolve("net");
        assertFalse(Files.exists(net.resolve("netns/cyc-1")), "netns file left");
        assertFalse(Files.exists(net.resolve("attachments/cyc-1.json")), "attachment left");
        assertFalse(Files.exists(net.resolve("hosts/cyc-1")), "hosts file left");
        assertFalse(Files.exists(net.resolve("leases/" + bridge)), "host-local leases left");
        assertFalse(Files.readString(net.resolve("networks.json")).contains("\"cyc\""), "network cyc still recorded");
        assertFalse(sh("cat /proc/self/mountinfo").contains(net.resolve("netns/cyc-1").toString()), "netns still mounted");
        String links = sh("ip -o link");
        assertFalse(links.contains(bridge), "bridge of network cyc left: " + bridge);
        for (String v : veths) {
            assertFalse(links.contains(" " + v + "@"), "veth left: " + v);
        }
        String rules = sh("iptables-save");
        assertFalse(rules.contains(bridge), "iptables rules naming network cyc left");
        assertFalse(rules.contains("\"cyc-1\""), "iptables rules naming container cyc-1 left");
        for (String address : addresses) {
            assertFalse(rules.contains(address + "/32"), "iptables rules for " + address + " left");
        }
    }

    @Test
    @Order(6)
    void escapeProbesStayRefusedOnABridgeNetwork() throws Exception {
        byte[] probe = TestImages.escapeProbe(Files.createDirectories(f.work.resolve("probe")));
        String image = TestImages.push(f, "netprobe", List.of("/probe/escape", "--stay"),
                new TarBuilder().dir("probe", 0).file("probe/escape", probe, 0, 0755));
        Map<String, Object> reply = f.deploy("op-probe", "probe", image, ",\"restart\":\"no\",\"network\":\"bridge\",\"networks\":[\"plant\"]");
        assertEquals(true, reply.get("ok"), reply.toString());
        Map<String, String> seen = f.lines("probe", "probe: end", 1);
        List<String> allowed = new ArrayList<>();
        seen.forEach((k, v) -> {
            if (v.equals("ALLOWED")) {
                allowed.add(k);
            }
        });
        assertEquals(List.of(), allowed, "escape steps that were not refused with networking on: " + seen);
    }

    @Test
    @Order(7)
    void aSpareNamespaceIsTakenOverWithTheAppsOwnRulesAndGoesWithItsNetwork() throws Exception {
        // App a's deploy (no ports) left a spare on plant wired like it: a second app like a takes it over.
        Attachment spare = spareOf("plant");
        Map<String, Object> reply = f.deploy("op-a2", "a2", probesImage,
                ",\"network\":\"bridge\",\"networks\":[\"plant\"],\"egress\":[\"" + SERVER + "/32:7000/tcp\"]");
        assertEquals(true, reply.get("ok"), reply.toString());
        Attachment a2 = attachment("a2-1");
        assertEquals(spare.container(), a2.cniId(), "a2 took over the spare: " + a2);
        assertEquals(spare.firstAddress(), a2.firstAddress());
        Path net = f.config.root().resolve("net");
        assertFalse(Files.exists(net.resolve("attachments/" + spare.container() + ".json")), "the spare's record is gone");
        assertFalse(sh("cat /proc/self/mountinfo").contains(net.resolve("netns/" + spare.container()).toString()), "the spare's file is unmounted");
        Map<String, String> seen = f.lines("a2", "a: tick", 2);
        assertEquals("pong-b", seen.get("a-b"), "a2 reaches b by name: " + seen);
        assertEquals("pong-7000", seen.get("a-e7000"), "its own egress rule holds in the spare's namespace: " + seen);
        assertEquals("refused", seen.get("a-e7001"), seen.toString());
        assertEquals("refused", seen.get("a-loopback-broker"), seen.toString());
        assertEquals("refused", seen.get("a-gateway-broker"), seen.toString());
        Attachment next = spareOf("plant");
        assertTrue(!next.container().equals(spare.container()) && !next.firstAddress().equals(a2.firstAddress()), "a new spare: " + next);

        // A crash right after the handover leaves the spare's record beside a2's: at start it is dropped without a
        // DEL, so a2 keeps its address and its veth.
        Files.writeString(net.resolve("attachments/" + a2.cniId() + ".json"), Files.readString(attachmentFile("a2-1"))
                .replace("\"container\" : \"a2-1\"", "\"container\" : \"" + a2.cniId() + "\"")
                .replace(net.resolve("netns/a2-1").toString(), net.resolve("netns/" + a2.cniId()).toString()));
        f.stopAgent();
        f.startAgent();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(net.resolve("attachments/" + a2.cniId() + ".json")));
        assertEquals(a2, attachment("a2-1"));
        int ticks = countOf("a2", "a: tick");
        seen = f.lines("a2", "a: tick", ticks + 2);
        assertEquals("pong-b", seen.get("a-b"), "a2 still reaches b after the restart: " + seen);
        assertEquals("pong-7000", seen.get("a-e7000"), seen.toString());

        // The last app of plant gone, its spare goes with the network.
        Attachment left = spareOf("plant");
        for (String app : List.of("a2", "a", "b", "probe")) {
            Map<String, Object> removed = f.command("remove", "{\"id\":\"op-rm-" + app + "\",\"app\":\"" + app + "\"}", "op-rm-" + app);
            assertEquals(true, removed.get("ok"), removed.toString());
        }
        String bridge = BridgeNetwork.bridgeName(f.config.root().toString(), "plant");
        assertFalse(Files.exists(net.resolve("attachments/" + left.container() + ".json")), "spare record left");
        assertFalse(sh("cat /proc/self/mountinfo").contains(net.resolve("netns/" + left.container()).toString()), "spare namespace left");
        assertFalse(Files.exists(net.resolve("leases/" + bridge)), "host-local leases of plant left");
        assertFalse(sh("ip -o link").contains(bridge), "bridge of plant left");
        assertFalse(sh("iptables-save").contains(left.container()), "rules naming the spare left");
    }

    /** The spare wired ahead for {@code network}, once it is whole. */
    static Attachment spareOf(String network) throws Exception {
        Path dir = f.config.root().resolve("net/attachments");
        AppNetworks networks = new AppNetworks(f.config.root().toString(), f.config.root().resolve("net"), new CniPlugins(CniPlugins.DEBIAN_PATH),
                NetworkGrant.DEFAULT_POOL);
        Attachment[] found = new Attachment[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    String name = p.getFileName().toString();
                    if (name.startsWith("Spare-") && name.endsWith(".json")) {
                        Attachment a = networks.attachment(name.substring(0, name.length() - 5)).orElse(null);
                        if (a != null && a.complete() && a.links().get(0).network().equals(network)) {
                            found[0] = a;
                            return true;
                        }
                    }
                }
            }
            return false;
        });
        return found[0];
    }

    static int countOf(String app, String marker) throws Exception {
        return Files.readString(f.log(app)).split(java.util.regex.Pattern.quote(marker), -1).length - 1;
    }

    static int countOf(String marker) throws Exception {
        return Files.readString(f.log("a")).split(java.util.regex.Pattern.quote(marker), -1).length - 1;
    }

    static Path attachmentFile(String container) {
        return f.config.root().resolve("net/attachments/" + container + ".json");
    }

    static Attachment attachment(String container) {
        return new AppNetworks(f.config.root().toString(), f.config.root().resolve("net"), new CniPlugins(CniPlugins.DEBIAN_PATH),
                NetworkGrant.DEFAULT_POOL).attachment(container).orElseThrow(() -> new AssertionError("no attachment of " + container));
    }

    /** The host-side interfaces in an attachment's CNI results (the veths the bridge plugin made). */
    @SuppressWarnings("unchecked")
    static List<String> hostInterfaces(Attachment a) {
        List<String> out = new ArrayList<>();
        for (Attachment.Link l : a.links()) {
            for (Object i : (List<Object>) l.result().orElseThrow().get("interfaces")) {
                Map<String, Object> m = (Map<String, Object>) i;
                if (m.get("sandbox") == null && String.valueOf(m.get("name")).startsWith("veth")) {
                    out.add((String) m.get("name"));
                }
            }
        }
        assertFalse(out.isEmpty(), "the CNI result names the host veth: " + a);
        return out;
    }

    static String readLine(String host, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setSoTimeout(3000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    static String sh(String command) throws Exception {
        Tools.Result r = Tools.run(List.of("sh", "-c", command), 60);
        if (r.exit() != 0) {
            throw new AssertionError(command + " failed: " + r.stderr());
        }
        return r.stdout();
    }

    static void shQuiet(String command) {
        try {
            Tools.run(List.of("sh", "-c", command), 60);
        } catch (Exception e) {
            // cleanup is best effort; the assertions above name what was left
        }
    }
}
