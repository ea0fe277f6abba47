package dev.edgeagent.runtime.network;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One container wired to its networks: the netns file, and per network the interface, the address it got and the
 * CNI result that DEL needs. Written before the first ADD (so a crash mid-way still leaves what to delete) and again
 * with the results. {@code cniId} is the container id the plugins were called with: the container's own, or that of
 * the spare namespace it took over (DEL must name the id ADD named).
 */
public record Attachment(String container, String app, String netns, List<Link> links, List<Object> portMappings, String cniId) {
    /**
     * One interface on one network: the configuration list ADD got (DEL gets the same), and the address and result,
     * empty until ADD has answered.
     */
    public record Link(String network, String bridge, String subnet, String ifname, Map<String, Object> conf,
            Optional<String> address, Optional<Map<String, Object>> result) {}

    public Attachment {
        links = List.copyOf(links);
        portMappings = List.copyOf(portMappings);
        java.util.Objects.requireNonNull(cniId, "cniId");
    }

    /** Wired under its own id. */
    public Attachment(String container, String app, String netns, List<Link> links, List<Object> portMappings) {
        this(container, app, netns, links, portMappings, container);
    }

    /** Whether every link has its ADD result: nothing of the wiring is pending. */
    public boolean complete() {
        return links.stream().allMatch(l -> l.result().isPresent());
    }

    public Optional<String> address(String network) {
        return links.stream().filter(l -> l.network().equals(network)).findFirst().flatMap(Link::address);
    }

    public Optional<String> firstAddress() {
        return links.isEmpty() ? Optional.empty() : links.get(0).address();
    }
}
