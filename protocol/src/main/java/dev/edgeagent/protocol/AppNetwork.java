package dev.edgeagent.protocol;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An app's network: its mode, and for {@code bridge} the named networks it joins (none named: a network of its
 * own), the host ports it publishes, and where it may connect beyond its networks ({@code egress}, each
 * {@code cidr[:port[/proto]]}; nothing else is allowed out).
 */
public record AppNetwork(NetworkMode mode, List<String> networks, List<PortMapping> ports, List<String> egress) {
    public static final AppNetwork NONE = new AppNetwork(NetworkMode.NONE, List.of(), List.of(), List.of());
    public static final AppNetwork HOST = new AppNetwork(NetworkMode.HOST, List.of(), List.of(), List.of());
    public static final int MAX_NETWORKS = 4;
    public static final int MAX_RULES = 64;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern EGRESS = Pattern.compile("(" + OCTET + "\\.){3}" + OCTET
            + "/(3[0-2]|[12]?\\d)(:([1-9]\\d{0,4})(/(tcp|udp))?)?");

    public AppNetwork {
        networks = List.copyOf(networks);
        ports = List.copyOf(ports);
        egress = List.copyOf(egress);
        if (mode != NetworkMode.BRIDGE && (!networks.isEmpty() || !ports.isEmpty() || !egress.isEmpty())) {
            throw new IllegalArgumentException("networks, ports and egress need \"network\": \"bridge\"");
        }
        if (networks.size() > MAX_NETWORKS || networks.stream().distinct().count() != networks.size()) {
            throw new IllegalArgumentException("networks: at most " + MAX_NETWORKS + " distinct names");
        }
        for (String n : networks) {
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("network name '" + n + "' must be 1-31 lowercase letters, digits and '-', starting with a letter");
            }
        }
        if (ports.size() > MAX_RULES || egress.size() > MAX_RULES) {
            throw new IllegalArgumentException("at most " + MAX_RULES + " ports and " + MAX_RULES + " egress rules");
        }
        for (String e : egress) {
            if (!EGRESS.matcher(e).matches() || (e.contains(":") && Integer.parseInt(e.split("[:/]")[2]) > 65535)) {
                throw new IllegalArgumentException("egress rule '" + e + "' must look like 192.0.2.10/32:1883 or 0.0.0.0/0:443/tcp");
            }
        }
        if (ports.stream().map(p -> p.host() + "/" + p.proto()).distinct().count() != ports.size()) {
            throw new IllegalArgumentException("ports: a host port is published twice");
        }
    }

    public boolean isHost() {
        return mode == NetworkMode.HOST;
    }
}
