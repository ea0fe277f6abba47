package dev.edgeagent.agent.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Judges a host for bridge networks: the CNI plugins, IPv4 forwarding, and the kernel's bridge and netfilter
 * support (conntrack for the egress rules, br_netfilter for the firewall plugin). Apps with network none or host need none of it, so a gap is a WARN, never a FAIL. Pure.
 */
public final class NetworkDoctor {
    static final List<String> PLUGINS = List.of("bridge", "host-local", "loopback", "portmap", "firewall");
    /** Kernel parts by what shows them: a built-in module has no /sys/module entry unless it has parameters. */
    static final java.util.Map<String, String> KERNEL_SIGNS = new java.util.LinkedHashMap<>(java.util.Map.of(
            "bridge", "/sys/module/bridge", "netfilter", "/proc/sys/net/netfilter", "conntrack", "/sys/module/nf_conntrack",
            "br_netfilter", "/proc/sys/net/bridge"));
    static final List<String> KERNEL = List.copyOf(new TreeSet<>(KERNEL_SIGNS.keySet()));

    /** What was looked at: plugins present in /usr/lib/cni, ip_forward, kernel parts present, iptables installed. */
    public record Facts(Set<String> plugins, String ipForward, Set<String> kernelParts, boolean iptables) {}

    private NetworkDoctor() {}

    public static List<Finding> evaluate(Facts f) {
        List<Finding> out = new ArrayList<>();
        Set<String> missing = new TreeSet<>(PLUGINS);
        missing.removeAll(f.plugins());
        out.add(missing.isEmpty() ? Finding.ok("CNI plugins", "/usr/lib/cni has " + PLUGINS)
                : Finding.warn("CNI plugins", "missing " + missing + ": bridge apps cannot start",
                        "apt-get install containernetworking-plugins"));
        out.add("1".equals(f.ipForward()) ? Finding.ok("ip_forward", "net.ipv4.ip_forward = 1")
                : Finding.warn("ip_forward", "net.ipv4.ip_forward = " + f.ipForward() + ": the bridge plugin turns it on when the first "
                        + "bridge app starts; until then bridge apps have no egress and no published ports",
                        "sysctl -w net.ipv4.ip_forward=1 (and persist it in /etc/sysctl.d/)"));
        Set<String> absent = new TreeSet<>(KERNEL);
        absent.removeAll(f.kernelParts());
        out.add(absent.isEmpty() ? Finding.ok("bridge and netfilter", "kernel has " + KERNEL)
                : Finding.warn("bridge and netfilter", "kernel parts not loaded: " + absent + " (bridge apps need them)",
                        "modprobe " + String.join(" ", absent.stream().map(a -> a.equals("netfilter") ? "nf_tables" : a.equals("conntrack") ? "nf_conntrack" : a).toList()) + " (or use a kernel with them built in)"));
        out.add(f.iptables() ? Finding.ok("iptables", "installed (egress rules, portmap, masquerade)")
                : Finding.warn("iptables", "not installed: bridge apps cannot start", "apt-get install iptables"));
        return out;
    }
}
