package dev.edgeagent.profiles;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One allowed destination: an IPv4 network, optionally one port, optionally one protocol
 * ({@code cidr[:port[/tcp|udp]]}). Without a port it is every port; without a protocol, tcp and udp.
 */
public record NetRule(int address, int prefix, int port, String proto) {
    private static final Pattern RULE = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})(?::(\\d{1,5})(?:/(tcp|udp))?)?");

    public NetRule {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix must be 0..32");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535");
        }
        if (!proto.equals("any") && !proto.equals("tcp") && !proto.equals("udp")) {
            throw new IllegalArgumentException("proto must be tcp, udp or any");
        }
        address = address & mask(prefix);
    }

    public static NetRule parse(String s) {
        Matcher m = RULE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' must look like 192.0.2.10/32:1883 or 0.0.0.0/0:443/tcp");
        }
        int a = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("'" + s + "': " + octet + " is not an address octet");
            }
            a = (a << 8) | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix > 32) {
            throw new IllegalArgumentException("'" + s + "': prefix must be 0..32");
        }
        int port = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
        if (m.group(6) != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("'" + s + "': port must be 1..65535");
        }
        return new NetRule(a, prefix, port, m.group(7) == null ? "any" : m.group(7));
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Whether everything {@code other} allows, this allows too (a profile's cap covering an order's rule). */
    public boolean covers(NetRule other) {
        return other.prefix >= prefix && (other.address & mask(prefix)) == address
                && (port == 0 || port == other.port) && (proto.equals("any") || proto.equals(other.proto));
    }

    public String cidr() {
        return ((address >>> 24) & 255) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "." + (address & 255) + "/" + prefix;
    }

    @Override
    public String toString() {
        return cidr() + (port == 0 ? "" : ":" + port + (proto.equals("any") ? "" : "/" + proto));
    }
}
