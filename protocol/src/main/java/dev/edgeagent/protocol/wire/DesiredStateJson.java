package dev.edgeagent.protocol.wire;

import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.DesiredState;
import dev.edgeagent.protocol.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code {"version": 3, "target": "gw-0042" | "group:north", "apps": [{app, image, resources?, restart?, …}],
 * "agent"?: {artifact, version}}}: each app entry is read exactly as a deploy order is (its id is
 * {@code desired-v<version>-<app>}); {@code agent} names an agent release as an {@code update-agent} order does.
 */
public final class DesiredStateJson {
    private DesiredStateJson() {}

    public static Decoded<DesiredState> decode(byte[] payload, int maxBytes, Set<String> targets) {
        if (payload.length > maxBytes) {
            return new Decoded.Rejected<>(ErrorCode.PAYLOAD_TOO_LARGE, "desired state is " + payload.length
                    + " bytes; the limit is " + maxBytes, Optional.empty());
        }
        Map<String, Object> root;
        try {
            root = Json.object(payload);
        } catch (IOException e) {
            return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, "desired state is not a JSON object", Optional.empty());
        }
        return decode(root, targets);
    }

    /** Decodes a desired state already parsed (and size-checked), e.g. inside a signed statement. */
    public static Decoded<DesiredState> decode(Map<String, Object> root, Set<String> targets) {
        try {
            Fields f = new Fields(root, "");
            f.refuseUnknown(List.of("version", "target", "apps", "agent"));
            long version = f.optionalLong("version").orElseThrow(() -> new Fields.WireException("'version' is missing"));
            String target = f.requireString("target");
            if (!targets.contains(target)) {
                return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, "desired state for " + target + " is not for this device "
                        + "(it answers to " + targets + ")", Optional.empty());
            }
            List<DeployOrder> apps = new ArrayList<>();
            for (Fields app : f.optionalObjects("apps")) {
                Map<String, Object> order = new LinkedHashMap<>(app.asMap());
                Object name = order.get("app");
                order.put("id", "desired-v" + version + "-" + name);
                Decoded<DeployOrder> d = DeployOrderJson.decode(order);
                if (d instanceof Decoded.Rejected<DeployOrder> r) {
                    return new Decoded.Rejected<>(r.code(), "app " + name + ": " + r.message(), Optional.empty());
                }
                apps.add(((Decoded.Ok<DeployOrder>) d).value());
            }
            Optional<DesiredState.AgentRelease> agent = Optional.empty();
            if (f.optionalObject("agent").isPresent()) {
                Fields a = f.optionalObject("agent").get();
                a.refuseUnknown(List.of("artifact", "version"));
                agent = Optional.of(new DesiredState.AgentRelease(dev.edgeagent.protocol.ImageRef.parse(a.requireString("artifact")),
                        dev.edgeagent.protocol.AgentVersion.parse(a.requireString("version"))));
            }
            return new Decoded.Ok<>(new DesiredState(version, target, apps, agent), Optional.empty());
        } catch (Fields.WireException | IllegalArgumentException e) {
            return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, "desired state: " + e.getMessage(), Optional.empty());
        }
    }
}
