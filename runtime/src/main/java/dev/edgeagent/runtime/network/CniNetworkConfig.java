package dev.edgeagent.runtime.network;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network configuration list of one bridge network: {@code bridge} (the host's gateway, masquerading what
 * leaves the subnet) with {@code host-local} addresses kept under the agent's root, {@code portmap} for published
 * ports and {@code firewall} so a host whose FORWARD policy drops still forwards the app's traffic.
 */
public final class CniNetworkConfig {
    private CniNetworkConfig() {}

    public static Map<String, Object> of(BridgeNetwork net, Path leases) {
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "host-local");
        ipam.put("ranges", List.of(List.of(Map.of("subnet", net.subnet().cidr()))));
        ipam.put("routes", List.of(Map.of("dst", "0.0.0.0/0")));
        ipam.put("dataDir", leases.toString());
        Map<String, Object> bridge = new LinkedHashMap<>();
        bridge.put("type", "bridge");
        bridge.put("bridge", net.bridge());
        bridge.put("isGateway", true);
        bridge.put("ipMasq", true);
        bridge.put("hairpinMode", true);
        bridge.put("ipam", ipam);
        Map<String, Object> portmap = new LinkedHashMap<>();
        portmap.put("type", "portmap");
        portmap.put("capabilities", Map.of("portMappings", true));
        portmap.put("snat", true);
        Map<String, Object> firewall = new LinkedHashMap<>();
        firewall.put("type", "firewall");
        firewall.put("backend", "iptables");
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("cniVersion", CniPlugins.CNI_VERSION);
        // The bridge's name, unique per agent root: portmap and bridge name their chains after it.
        list.put("name", net.bridge());
        list.put("plugins", List.of(bridge, portmap, firewall));
        return list;
    }
}
