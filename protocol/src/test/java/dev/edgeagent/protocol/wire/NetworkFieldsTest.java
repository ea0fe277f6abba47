package dev.edgeagent.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.AppNetwork;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.NetworkMode;
import dev.edgeagent.protocol.PortMapping;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkFieldsTest {
    static final String IMAGE = "reg.example/app@sha256:" + "a".repeat(64);

    static Decoded<DeployOrder> decode(String extra) {
        return DeployOrderJson.decode(("{\"id\":\"op-1\",\"app\":\"web\",\"image\":\"" + IMAGE + "\"" + extra + "}")
                .getBytes(StandardCharsets.UTF_8), 65536);
    }

    @Test
    void aBridgeOrderRoundTrips() {
        Decoded<DeployOrder> d = decode(",\"network\":\"bridge\",\"networks\":[\"plant\"],"
                + "\"ports\":[{\"host\":8080,\"container\":80,\"proto\":\"tcp\",\"hostIp\":\"127.0.0.1\"}],"
                + "\"egress\":[\"192.0.2.10/32:1883\",\"0.0.0.0/0:443/tcp\"]");
        DeployOrder order = assertInstanceOf(Decoded.Ok.class, d).value() instanceof DeployOrder o ? o : null;
        AppNetwork n = order.options().network();
        assertEquals(NetworkMode.BRIDGE, n.mode());
        assertEquals(List.of("plant"), n.networks());
        assertEquals(List.of(new PortMapping(8080, 80, "tcp", "127.0.0.1")), n.ports());
        assertEquals(List.of("192.0.2.10/32:1883", "0.0.0.0/0:443/tcp"), n.egress());
        DeployOrder again = ((Decoded.Ok<DeployOrder>) DeployOrderJson.decode(DeployOrderJson.encode(order), 65536)).value();
        assertEquals(order, again);
    }

    @Test
    void portsDefaultToTcpOnAllAddresses() {
        DeployOrder o = ((Decoded.Ok<DeployOrder>) decode(",\"network\":\"bridge\",\"ports\":[{\"host\":8080,\"container\":80}]")).value();
        assertEquals(new PortMapping(8080, 80, "tcp", "0.0.0.0"), o.options().network().ports().get(0));
    }

    @Test
    void badNetworkFieldsAreRefusedByName() {
        for (String[] bad : new String[][] {
                {",\"network\":\"overlay\"", "'network' must be"},
                {",\"networks\":[\"plant\"]", "need \"network\": \"bridge\""},
                {",\"network\":\"bridge\",\"networks\":[\"Plant!\"]", "network name"},
                {",\"network\":\"bridge\",\"egress\":[\"10.0.0.1:80\"]", "egress rule"},
                {",\"network\":\"bridge\",\"egress\":[\"10.0.0.1/32:70000\"]", "egress rule"},
                {",\"network\":\"bridge\",\"ports\":[{\"host\":0,\"container\":80}]", "1..65535"},
                {",\"network\":\"bridge\",\"ports\":[{\"host\":80,\"container\":80,\"proto\":\"sctp\"}]", "proto"},
                {",\"network\":\"bridge\",\"ports\":[{\"host\":80,\"container\":80,\"hostIp\":\"localhost\"}]", "hostIp"},
                {",\"network\":\"bridge\",\"ports\":[{\"host\":80,\"container\":80},{\"host\":80,\"container\":81}]", "twice"}}) {
            Decoded<DeployOrder> d = decode(bad[0]);
            Decoded.Rejected<DeployOrder> r = assertInstanceOf(Decoded.Rejected.class, d, bad[0]);
            assertEquals(ErrorCode.BAD_REQUEST, r.code());
            assertTrue(r.message().contains(bad[1]), bad[0] + " -> " + r.message());
        }
    }

    @Test
    void edgectlsPublishSyntaxParses() {
        assertEquals(new PortMapping(8080, 80, "tcp", "0.0.0.0"), PortMapping.parse("8080:80"));
        assertEquals(new PortMapping(8080, 80, "udp", "127.0.0.1"), PortMapping.parse("127.0.0.1:8080:80/udp"));
    }
}
