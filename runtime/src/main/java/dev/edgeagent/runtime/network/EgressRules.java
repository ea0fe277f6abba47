package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;
import java.util.List;

/**
 * The filter rules put into an app's own network namespace before its process starts (the app has no
 * CAP_NET_ADMIN there, so it cannot change them): loopback, replies, the egress rules it was admitted with, and
 * the apps on its own networks; everything else it sends is refused. The host's address on each bridge and the
 * device's other networks (the whole subnet pool) are refused before any egress rule is read: a bridge app reaches
 * no host service through its gateway, and no app of another network, whatever its egress allows. IPv6 is refused
 * whole: the networks are IPv4 only.
 */
public final class EgressRules {
    private EgressRules() {}

    /** iptables-restore input for the filter table. */
    public static String ipv4(List<BridgeNetwork> networks, List<NetRule> egress, NetRule pool) {
        StringBuilder s = new StringBuilder();
        s.append("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n");
        s.append("-A OUTPUT -o lo -j ACCEPT\n");
        s.append("-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n");
        // Never out through an interface to a loopback address, whatever a rule below allows.
        s.append("-A OUTPUT -d 127.0.0.0/8 -j DROP\n");
        // The device's other networks stay apart whatever egress allows: own networks first, then the pool refused.
        for (BridgeNetwork n : networks) {
            s.append("-A OUTPUT -d ").append(n.gateway()).append("/32 -j REJECT\n");
            s.append("-A OUTPUT -d ").append(n.subnet().cidr()).append(" -j ACCEPT\n");
        }
        s.append("-A OUTPUT -d ").append(pool.cidr()).append(" -j REJECT\n");
        for (NetRule r : egress) {
            if (r.port() == 0) {
                s.append("-A OUTPUT -d ").append(r.cidr()).append(" -j ACCEPT\n");
                continue;
            }
            for (String proto : r.proto().equals("any") ? List.of("tcp", "udp") : List.of(r.proto())) {
                s.append("-A OUTPUT -d ").append(r.cidr()).append(" -p ").append(proto).append(" -m ").append(proto)
                        .append(" --dport ").append(r.port()).append(" -j ACCEPT\n");
            }
        }
        s.append("-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\n");
        s.append("-A OUTPUT -j REJECT\n");
        s.append("COMMIT\n");
        return s.toString();
    }

    /** ip6tables-restore input: loopback only. */
    public static String ipv6() {
        return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n-A OUTPUT -o lo -j ACCEPT\nCOMMIT\n";
    }
}
