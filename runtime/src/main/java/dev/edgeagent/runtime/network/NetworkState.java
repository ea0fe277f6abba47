package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The networks and attachments on disk, under the agent's {@code net/}: {@code networks.json} (name → bridge,
 * subnet), {@code attachments/<container>.json}, {@code netns/<container>}, {@code hosts/<container>} and the
 * host-local leases in {@code leases/}. Every state file is written atomically; all of it survives an agent restart.
 */
final class NetworkState {
    private final Path dir;

    NetworkState(Path dir) {
        this.dir = dir;
    }

    Path netns(String container) {
        return dir.resolve("netns").resolve(container);
    }

    Path hosts(String container) {
        return dir.resolve("hosts").resolve(container);
    }

    Path leases() {
        return dir.resolve("leases");
    }

    Path attachments() {
        return dir.resolve("attachments");
    }

    @SuppressWarnings("unchecked")
    Map<String, BridgeNetwork> networks() throws IOException {
        Path file = dir.resolve("networks.json");
        Map<String, BridgeNetwork> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        Map<String, Object> m = Json.object(Files.readAllBytes(file));
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Map<String, Object> n = (Map<String, Object>) e.getValue();
            out.put(e.getKey(), new BridgeNetwork(e.getKey(), (String) n.get("bridge"), NetRule.parse((String) n.get("subnet"))));
        }
        return out;
    }

    void saveNetworks(Map<String, BridgeNetwork> networks) throws IOException {
        Map<String, Object> m = new TreeMap<>();
        networks.forEach((name, n) -> m.put(name, Map.of("bridge", n.bridge(), "subnet", n.subnet().cidr())));
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve("networks.json"), Json.pretty(m));
    }

    List<Attachment> attachmentsOnDisk() throws IOException {
        List<Attachment> out = new ArrayList<>();
        if (!Files.isDirectory(attachments())) {
            return out;
        }
        try (var files = Files.list(attachments())) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.add(read(Files.readAllBytes(f)));
            }
        }
        return out;
    }

    Optional<Attachment> attachment(String container) throws IOException {
        Path f = attachments().resolve(container + ".json");
        return Files.exists(f) ? Optional.of(read(Files.readAllBytes(f))) : Optional.empty();
    }

    void save(Attachment a) throws IOException {
        Files.createDirectories(attachments());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("container", a.container());
        m.put("app", a.app());
        m.put("netns", a.netns());
        List<Object> links = new ArrayList<>();
        for (Attachment.Link l : a.links()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("network", l.network());
            lm.put("bridge", l.bridge());
            lm.put("subnet", l.subnet());
            lm.put("ifname", l.ifname());
            lm.put("conf", l.conf());
            l.address().ifPresent(ad -> lm.put("address", ad));
            l.result().ifPresent(r -> lm.put("result", r));
            links.add(lm);
        }
        m.put("links", links);
        m.put("portMappings", a.portMappings());
        if (!a.cniId().equals(a.container())) {
            m.put("cniId", a.cniId());
        }
        AtomicFiles.write(attachments().resolve(a.container() + ".json"), Json.pretty(m));
    }

    void forget(String container) throws IOException {
        Files.deleteIfExists(attachments().resolve(container + ".json"));
    }

    @SuppressWarnings("unchecked")
    private static Attachment read(byte[] json) throws IOException {
        Map<String, Object> m = Json.object(json);
        List<Attachment.Link> links = new ArrayList<>();
        for (Map<String, Object> l : (List<Map<String, Object>>) m.get("links")) {
            links.add(new Attachment.Link((String) l.get("network"), (String) l.get("bridge"), (String) l.get("subnet"),
                    (String) l.get("ifname"), (Map<String, Object>) l.get("conf"), Optional.ofNullable((String) l.get("address")),
                    Optional.ofNullable((Map<String, Object>) l.get("result"))));
        }
        return new Attachment((String) m.get("container"), (String) m.get("app"), (String) m.get("netns"), links,
                (List<Object>) m.getOrDefault("portMappings", List.of()), (String) m.getOrDefault("cniId", m.get("container")));
    }
}
