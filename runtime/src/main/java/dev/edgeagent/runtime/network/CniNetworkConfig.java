package dev.edgeagent.runtime.network;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network configuration list for one app on one bridge network: {@code bridge} (the host as gateway) with
 * {@code host-local} addresses kept under the agent's root; masquerading only when the app has egress beyond its
 * networks; {@code portmap} only when it publishes ports; {@code firewall} only when the host's FORWARD policy
 * would drop its traffic. Each plugin costs a process and several iptables calls, so an app pays for what it uses.
 * The list is kept with the attachment: DEL gets exactly what ADD got.
 */
public final class CniNetworkConfig {
    private CniNetworkConfig() {}

    /** What the app uses beyond its bridge. {@code snat}: portmap may rewrite sources, needed for loopback-published ports. */
    public record Features(boolean masquerade, boolean ports, boolean snat, boolean firewall) {}

    public static Map<String, Object> of(BridgeNetwork net, Path leases, Features use) {
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "host-local");
        ipam.put("ranges", List.of(List.of(Map.of("subnet", net.subnet().cidr()))));
        ipam.put("routes", List.of(Map.of("dst", "0.0.0.0/0")));
        ipam.put("dataDir", leases.toString());
        Map<String, Object> bridge = new LinkedHashMap<>();
        bridge.put("type", "bridge");
        bridge.put("bridge", net.bridge());
        bridge.put("isGateway", true);
        bridge.put("ipMasq", use.masquerade());
        bridge.put("hairpinMode", true);
        bridge.put("ipam", ipam);
        Map<String, Object> portmap = new LinkedHashMap<>();
        portmap.put("type", "portmap");
        portmap.put("capabilities", Map.of("portMappings", true));
        portmap.put("snat", use.snat());
        Map<String, Object> firewall = new LinkedHashMap<>();
        firewall.put("type", "firewall");
        firewall.put("backend", "iptables");
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("cniVersion", CniPlugins.CNI_VERSION);
        // The bridge's name, unique per agent root: portmap and bridge name their chains after it.
        list.put("name", net.bridge());
        List<Object> plugins = new java.util.ArrayList<>(List.of(bridge));
        if (use.ports()) {
            plugins.add(portmap);
        }
        if (use.firewall()) {
            plugins.add(firewall);
        }
        list.put("plugins", plugins);
        return list;
    }
}
