package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;

/** Small address arithmetic on {@link NetRule} networks. */
final class NetRules {
    private NetRules() {}

    static String host(NetRule net, int index) {
        int a = net.address() + index;
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    static boolean overlaps(NetRule a, NetRule b) {
        int prefix = Math.min(a.prefix(), b.prefix());
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (a.address() & mask) == (b.address() & mask);
    }
}
