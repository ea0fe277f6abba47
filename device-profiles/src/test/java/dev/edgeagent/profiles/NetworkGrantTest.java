package dev.edgeagent.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkGrantTest {
    @Test
    void aRuleParsesItsNetworkPortAndProtocol() {
        NetRule r = NetRule.parse("192.0.2.17/24:1883");
        assertEquals("192.0.2.0/24", r.cidr());
        assertEquals(1883, r.port());
        assertEquals("any", r.proto());
        assertEquals("0.0.0.0/0:443/tcp", NetRule.parse("0.0.0.0/0:443/tcp").toString());
        assertThrows(IllegalArgumentException.class, () -> NetRule.parse("300.0.0.1/32"));
        assertThrows(IllegalArgumentException.class, () -> NetRule.parse("10.0.0.1/33"));
        assertThrows(IllegalArgumentException.class, () -> NetRule.parse("10.0.0.1/32:0"));
        assertThrows(IllegalArgumentException.class, () -> NetRule.parse("10.0.0.1"));
    }

    @Test
    void aCapCoversOnlyNarrowerRules() {
        NetRule cap = NetRule.parse("198.51.100.0/24");
        assertTrue(cap.covers(NetRule.parse("198.51.100.10/32:7000/tcp")));
        assertFalse(cap.covers(NetRule.parse("198.51.0.0/16")));
        assertFalse(cap.covers(NetRule.parse("203.0.113.1/32")));
        NetRule https = NetRule.parse("0.0.0.0/0:443/tcp");
        assertTrue(https.covers(NetRule.parse("203.0.113.1/32:443/tcp")));
        assertFalse(https.covers(NetRule.parse("203.0.113.1/32:443")), "tcp does not cover tcp+udp");
        assertFalse(https.covers(NetRule.parse("203.0.113.1/32:80/tcp")));
        assertFalse(https.covers(NetRule.parse("203.0.113.1/32")), "one port does not cover all ports");
    }

    @Test
    void theProfileAdmitsBridgePortsAndEgressOnlyWithinItsGrant() throws Exception {
        DeviceProfile p = DeviceProfiles.parse(("{\"name\":\"t\",\"platform\":\"linux/amd64\",\"defaults\":{\"memoryBytes\":67108864,\"pids\":10,\"cpus\":1},"
                + "\"ceilings\":{\"memoryBytes\":1073741824,\"pids\":100,\"cpus\":2,\"storageBytes\":1073741824},"
                + "\"grants\":{\"network\":{\"bridge\":true,\"hostPorts\":[\"8000-8099\"],\"egress\":[\"0.0.0.0/0:443/tcp\"]}}}")
                .getBytes(StandardCharsets.UTF_8), "test");
        assertEquals(List.of(NetRule.parse("203.0.113.5/32:443/tcp")), p.admitNetwork(List.of(8080), List.of("203.0.113.5/32:443/tcp")));
        assertTrue(assertThrows(NotGranted.class, () -> p.admitNetwork(List.of(80), List.of())).getMessage().contains("grants.network.hostPorts"));
        assertTrue(assertThrows(NotGranted.class, () -> p.admitNetwork(List.of(), List.of("0.0.0.0/0:53/udp"))).getMessage()
                .contains("grants.network.egress"));
        assertTrue(assertThrows(NotGranted.class, () -> DeviceProfiles.load("internet-exposed-strict").admitNetwork(List.of(), List.of()))
                .getMessage().contains("grants.network.bridge = false"));
    }

    @Test
    void aBadNetworkGrantNamesItsField() {
        Exception e = assertThrows(java.io.IOException.class, () -> DeviceProfiles.parse(("{\"name\":\"t\",\"platform\":\"linux/amd64\","
                + "\"defaults\":{\"memoryBytes\":67108864,\"pids\":10,\"cpus\":1},\"ceilings\":{\"memoryBytes\":67108864,\"pids\":1,\"cpus\":1,\"storageBytes\":1},"
                + "\"grants\":{\"network\":{\"bridge\":true,\"hostPorts\":[\"9-1\"]}}}").getBytes(StandardCharsets.UTF_8), "test"));
        assertTrue(e.getMessage().contains("grants.network"), e.getMessage());
    }
}
