package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named network of the device: a Linux bridge ({@code bridge}, at most 15 characters) and the /24 its apps take
 * their addresses from. The bridge's name is derived from the agent's root and the network's name, so two agents on
 * one host never share a bridge, and a test knows which interfaces are its own.
 */
public record BridgeNetwork(String name, String bridge, NetRule subnet) {
    private static final Pattern IFNAME = Pattern.compile("[a-z0-9]{1,15}");

    public BridgeNetwork {
        Objects.requireNonNull(name, "name");
        if (!IFNAME.matcher(bridge).matches()) {
            throw new IllegalArgumentException("bridge name '" + bridge + "' must be 1-15 lowercase letters and digits");
        }
        if (subnet.prefix() != 24 || subnet.port() != 0) {
            throw new IllegalArgumentException("a network's subnet is a /24, got " + subnet);
        }
    }

    /** "ea" and ten hex digits of sha256(root, name). */
    public static String bridgeName(String root, String network) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest((root + "\0" + network).getBytes(StandardCharsets.UTF_8));
            return "ea" + HexFormat.of().formatHex(d, 0, 5);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host's address on the bridge: the first of the subnet, as host-local gives it by default. */
    public String gateway() {
        return NetRules.host(subnet, 1);
    }
}
