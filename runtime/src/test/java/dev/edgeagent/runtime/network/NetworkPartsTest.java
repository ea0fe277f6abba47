package dev.edgeagent.runtime.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.profiles.NetRule;
import dev.edgeagent.protocol.PortMapping;
import dev.edgeagent.runtime.spec.OciSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkPartsTest {
    static final BridgeNetwork PLANT = new BridgeNetwork("plant", "ea0123456789", NetRule.parse("10.213.4.0/24"));
    static final NetRule POOL = NetRule.parse("10.213.0.0/16");

    @Test
    void egressRulesRefuseByDefaultAndKeepOtherNetworksApart() {
        String rules = EgressRules.ipv4(List.of(PLANT), List.of(NetRule.parse("198.51.100.10/32:7000/tcp"),
                NetRule.parse("198.51.100.53/32:53")), POOL);
        assertTrue(rules.contains(":OUTPUT DROP"), rules);
        assertTrue(rules.contains("-A OUTPUT -d 198.51.100.10/32 -p tcp -m tcp --dport 7000 -j ACCEPT"), rules);
        assertTrue(rules.contains("-A OUTPUT -d 198.51.100.53/32 -p udp -m udp --dport 53 -j ACCEPT"), rules);
        assertTrue(rules.contains("-A OUTPUT -d 198.51.100.53/32 -p tcp -m tcp --dport 53 -j ACCEPT"), rules);
        assertTrue(rules.indexOf("-d 10.213.4.1/32 -j REJECT") < rules.indexOf("-d 10.213.4.0/24 -j ACCEPT"), "the gateway first");
        assertTrue(rules.indexOf("-d 10.213.0.0/16 -j REJECT") < rules.indexOf("198.51.100.10"), "the pool before any egress rule");
        assertTrue(rules.indexOf("-d 127.0.0.0/8 -j DROP") < rules.indexOf("198.51.100.10"), rules);
        assertTrue(rules.strip().endsWith("-A OUTPUT -j REJECT\nCOMMIT"), rules);
    }

    @Test
    void theConfigListHasOnlyThePluginsTheAppUses() {
        Map<String, Object> plain = CniNetworkConfig.of(PLANT, Path.of("/l"), new CniNetworkConfig.Features(false, false, false, false));
        assertEquals("1.0.0", plain.get("cniVersion"));
        assertEquals("ea0123456789", plain.get("name"));
        List<?> plugins = (List<?>) plain.get("plugins");
        assertEquals(1, plugins.size());
        Map<?, ?> bridge = (Map<?, ?>) plugins.get(0);
        assertEquals(false, bridge.get("ipMasq"));
        assertEquals("/l", ((Map<?, ?>) bridge.get("ipam")).get("dataDir"));
        Map<String, Object> full = CniNetworkConfig.of(PLANT, Path.of("/l"), new CniNetworkConfig.Features(true, true, false, true));
        assertEquals(List.of("bridge", "portmap", "firewall"), ((List<?>) full.get("plugins")).stream().map(p -> ((Map<?, ?>) p).get("type")).toList());
    }

    @Test
    void bridgeNamesAreShortAndPerAgentRoot() {
        String a = BridgeNetwork.bridgeName("/var/lib/edgeagent", "plant");
        assertTrue(a.length() <= 15 && a.startsWith("ea"), a);
        assertFalse(a.equals(BridgeNetwork.bridgeName("/tmp/other", "plant")));
        assertEquals("10.213.4.1", PLANT.gateway());
    }

    @Test
    void hostRoutesAreReadFromProcNetRoute() {
        List<NetRule> routes = HostRoutes.parse(List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"));
        assertEquals(List.of(NetRule.parse("192.0.2.0/24")), routes, "the default route is left out");
        assertTrue(NetRules.overlaps(NetRule.parse("10.0.0.0/8"), NetRule.parse("10.213.4.0/24")));
        assertFalse(NetRules.overlaps(NetRule.parse("10.212.0.0/16"), NetRule.parse("10.213.4.0/24")));
    }

    @Test
    void aPlanRoundTripsThroughTheBundle(@TempDir Path bundle) throws Exception {
        NetworkPlan plan = new NetworkPlan("web", List.of("plant", "ops"), List.of(new PortMapping(8080, 80, "tcp", "127.0.0.1")),
                List.of(NetRule.parse("192.0.2.10/32:1883")));
        Files.write(bundle.resolve(NetworkPlan.FILE), plan.toJson());
        assertEquals(plan, NetworkPlan.readFrom(bundle).orElseThrow());
        assertEquals(List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp", "hostIP", "127.0.0.1")), plan.portMappings());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSpecJoinsTheNamedNamespaceAndBindsHostsAndSys() {
        OciSpec spec = new OciSpec();
        spec.namespaces().add(new java.util.LinkedHashMap<>(Map.of("type", "network")));
        spec.mounts().add(new java.util.LinkedHashMap<>(Map.of("destination", "/sys", "type", "sysfs", "source", "sysfs")));
        BridgeSpec.apply(spec, Path.of("/r/net/netns/web-1"), Path.of("/r/net/hosts/web-1"));
        assertEquals("/r/net/netns/web-1", ((Map<String, Object>) spec.namespaces().get(0)).get("path"));
        Map<String, Object> sys = (Map<String, Object>) spec.mounts().get(0);
        assertEquals("bind", sys.get("type"));
        assertTrue(((List<String>) sys.get("options")).contains("ro"));
        Map<String, Object> hosts = (Map<String, Object>) spec.mounts().get(1);
        assertEquals("/etc/hosts", hosts.get("destination"));
        assertTrue(((List<String>) hosts.get("options")).contains("ro"));
    }

    @Test
    void hostsNameTheAppAndItsPeers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("hosts");
        HostsFile.write(f, HostsFile.render("a", "10.213.4.3", Map.of("b", "10.213.4.2")) + "# a longer first version\n");
        HostsFile.write(f, HostsFile.render("a", "10.213.4.3", Map.of("b", "10.213.4.2")));
        assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost\n10.213.4.3\ta\n10.213.4.2\tb\n", Files.readString(f));
    }

    @Test
    void theAddressOfAResultIsItsFirstIpv4() {
        assertEquals("10.213.4.2", AppNetworks.addressOf(Map.of("ips", List.of(Map.of("address", "10.213.4.2/24")))).orElseThrow());
        assertTrue(AppNetworks.addressOf(Map.of()).isEmpty());
    }
}
