package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;
import dev.edgeagent.protocol.PortMapping;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a bridge app's generation is wired with, as admitted: its networks (in order: eth0, eth1, …), published ports
 * (on its first network) and egress rules. Kept in the bundle as {@code network.json}, so every start of that
 * generation (a restart, an agent restart) wires it the same way.
 */
public record NetworkPlan(String app, List<String> networks, List<PortMapping> ports, List<NetRule> egress) {
    public static final String FILE = "network.json";

    public NetworkPlan {
        networks = List.copyOf(networks);
        ports = List.copyOf(ports);
        egress = List.copyOf(egress);
        if (networks.isEmpty()) {
            throw new IllegalArgumentException("a bridge app is on at least one network");
        }
    }

    /** The network of an app that names none: its own, which no other app can join (user names have no ':'). */
    public static String ownNetwork(String app) {
        return "app:" + app;
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", app);
        m.put("networks", networks);
        List<Object> ps = new ArrayList<>();
        for (PortMapping p : ports) {
            ps.add(Map.of("host", p.host(), "container", p.container(), "proto", p.proto(), "hostIp", p.hostIp()));
        }
        m.put("ports", ps);
        m.put("egress", egress.stream().map(NetRule::toString).toList());
        return Json.pretty(m);
    }

    @SuppressWarnings("unchecked")
    public static Optional<NetworkPlan> readFrom(Path bundle) throws IOException {
        Path file = bundle.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Map<String, Object> m = Json.object(Files.readAllBytes(file));
        List<PortMapping> ports = new ArrayList<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) m.get("ports")) {
            ports.add(new PortMapping(((Number) p.get("host")).intValue(), ((Number) p.get("container")).intValue(), (String) p.get("proto"),
                    (String) p.get("hostIp")));
        }
        return Optional.of(new NetworkPlan((String) m.get("app"), (List<String>) m.get("networks"), ports,
                ((List<String>) m.get("egress")).stream().map(NetRule::parse).toList()));
    }

    /** The portmap plugin's runtimeConfig.portMappings. */
    public List<Object> portMappings() {
        List<Object> out = new ArrayList<>();
        for (PortMapping p : ports) {
            out.add(Map.of("hostPort", p.host(), "containerPort", p.container(), "protocol", p.proto(), "hostIP", p.hostIp()));
        }
        return out;
    }
}
