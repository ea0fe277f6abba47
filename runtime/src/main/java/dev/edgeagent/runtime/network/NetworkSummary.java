package dev.edgeagent.runtime.network;

import java.util.LinkedHashMap;
import java.util.Map;

/** A bridge app's network as status shows it: {@code {"mode":"bridge","addresses":{net: ip},"ports":[…]}}. */
public final class NetworkSummary {
    private NetworkSummary() {}

    public static Map<String, Object> of(Attachment a) {
        Map<String, Object> addresses = new LinkedHashMap<>();
        for (Attachment.Link l : a.links()) {
            addresses.put(l.network(), l.address().orElse(null));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "bridge");
        m.put("addresses", addresses);
        m.put("ports", a.portMappings());
        return m;
    }
}
