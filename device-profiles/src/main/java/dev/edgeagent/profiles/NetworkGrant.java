package dev.edgeagent.profiles;

import java.util.List;

/**
 * Whether a device class lets apps onto bridge networks, and within what: the host ports they may publish
 * ({@code hostPorts}, "8000-8999" ranges) and the widest egress an order may ask ({@code egress}, rules as in
 * {@link NetRule}; empty: an app may reach only its own networks). {@code subnetPool}: the /16 the device's networks
 * take their /24s from, skipping any that a host route already covers.
 */
public record NetworkGrant(boolean bridge, List<int[]> hostPorts, List<NetRule> egress, NetRule subnetPool) {
    public static final NetRule DEFAULT_POOL = NetRule.parse("10.213.0.0/16");
    public static final NetworkGrant NONE = new NetworkGrant(false, List.of(), List.of(), DEFAULT_POOL);

    public NetworkGrant {
        hostPorts = List.copyOf(hostPorts);
        egress = List.copyOf(egress);
        for (int[] r : hostPorts) {
            if (r.length != 2 || r[0] < 1 || r[1] > 65535 || r[0] > r[1]) {
                throw new IllegalArgumentException("grants.network.hostPorts: ranges must be low-high within 1..65535");
            }
        }
        if (subnetPool.prefix() > 24 || subnetPool.port() != 0) {
            throw new IllegalArgumentException("grants.network.subnetPool must be a network of /24 or wider, without a port");
        }
    }

    /** "8000-8999" or "8080". */
    public static int[] range(String s) {
        String[] p = s.split("-", 2);
        try {
            int low = Integer.parseInt(p[0].strip());
            return new int[] {low, p.length == 2 ? Integer.parseInt(p[1].strip()) : low};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("grants.network.hostPorts: '" + s + "' must look like 8000-8999");
        }
    }

    public boolean allowsHostPort(int port) {
        return hostPorts.stream().anyMatch(r -> port >= r[0] && port <= r[1]);
    }

    public boolean allowsEgress(NetRule rule) {
        return egress.stream().anyMatch(cap -> cap.covers(rule));
    }
}
