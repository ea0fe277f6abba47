package dev.edgeagent.protocol;

import java.util.regex.Pattern;

/** A host port forwarded to a port of a bridge app, on one host address ({@code 0.0.0.0}: all of them). */
public record PortMapping(int host, int container, String proto, String hostIp) {
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    public PortMapping {
        if (host < 1 || host > 65535 || container < 1 || container > 65535) {
            throw new IllegalArgumentException("ports: host and container ports must be 1..65535, got " + host + ":" + container);
        }
        if (!"tcp".equals(proto) && !"udp".equals(proto)) {
            throw new IllegalArgumentException("ports: proto must be \"tcp\" or \"udp\", got \"" + proto + "\"");
        }
        if (hostIp == null || !IPV4.matcher(hostIp).matches()) {
            throw new IllegalArgumentException("ports: hostIp must be an IPv4 address, got \"" + hostIp + "\"");
        }
    }

    /** {@code 8080:80}, {@code 8080:80/udp}, {@code 127.0.0.1:8080:80/tcp}, as edgectl's --publish takes it. */
    public static PortMapping parse(String s) {
        String proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        String[] parts = s.split(":");
        try {
            if (parts.length == 2) {
                return new PortMapping(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), proto, "0.0.0.0");
            }
            if (parts.length == 3) {
                return new PortMapping(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), proto, parts[0]);
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("a published port must look like 8080:80, 8080:80/udp or 127.0.0.1:8080:80, got \"" + s + "\"");
    }
}
