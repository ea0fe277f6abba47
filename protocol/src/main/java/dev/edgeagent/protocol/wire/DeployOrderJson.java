package dev.edgeagent.protocol.wire;

import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.AppOptions;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.ResourceRequest;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.protocol.VolumeMount;
import dev.edgeagent.protocol.ImageRef;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code {"id":"…","app":"demo","image":"host/repo@sha256:…","resources":{"memoryBytes":…,"pids":…},"restart":"on-failure"}}
 * to and from {@link DeployOrder}.
 */
public final class DeployOrderJson {
    private DeployOrderJson() {}

    public static byte[] encode(DeployOrder order) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", order.id().value());
        out.put("app", order.app().value());
        out.put("image", order.image().toString());
        Map<String, Object> res = new LinkedHashMap<>();
        order.resources().memoryBytes().ifPresent(m -> res.put("memoryBytes", m));
        order.resources().pids().ifPresent(p -> res.put("pids", p));
        order.resources().cpuMillis().ifPresent(c -> res.put("cpus", c / 1000.0));
        if (!res.isEmpty()) {
            out.put("resources", res);
        }
        out.put("restart", order.restart().wire());
        AppOptions o = order.options();
        if (!o.capabilities().isEmpty()) {
            out.put("capabilities", List.copyOf(new java.util.TreeSet<>(o.capabilities())));
        }
        if (!o.devices().isEmpty()) {
            out.put("devices", o.devices());
        }
        if (o.network().mode() != dev.edgeagent.protocol.NetworkMode.NONE) {
            out.put("network", o.network().mode().wire());
        }
        if (!o.network().networks().isEmpty()) {
            out.put("networks", o.network().networks());
        }
        if (!o.network().ports().isEmpty()) {
            List<Object> ports = new java.util.ArrayList<>();
            for (dev.edgeagent.protocol.PortMapping p : o.network().ports()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("host", p.host());
                m.put("container", p.container());
                m.put("proto", p.proto());
                m.put("hostIp", p.hostIp());
                ports.add(m);
            }
            out.put("ports", ports);
        }
        if (!o.network().egress().isEmpty()) {
            out.put("egress", o.network().egress());
        }
        if (!o.volumes().isEmpty()) {
            List<Object> vols = new java.util.ArrayList<>();
            for (VolumeMount v : o.volumes()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", v.name());
                m.put("path", v.path());
                if (v.readOnly()) {
                    m.put("readOnly", true);
                }
                vols.add(m);
            }
            out.put("volumes", vols);
        }
        o.seccomp().ifPresent(p -> out.put("seccomp", p));
        if (o.strategy() != dev.edgeagent.protocol.UpdateStrategy.STOP_THEN_START) {
            out.put("strategy", o.strategy().wire());
        }
        if (o.healthGraceSeconds() > 0) {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("graceSeconds", o.healthGraceSeconds());
            o.healthProbe().ifPresent(p -> health.put("probe", probe(p)));
            out.put("health", health);
        }
        return Json.compact(out);
    }

    public static Decoded<DeployOrder> decode(byte[] payload, int maxBytes) {
        Decoded<Map<String, Object>> read = OrderPayload.read(payload, maxBytes);
        if (read instanceof Decoded.Rejected<Map<String, Object>> r) {
            return new Decoded.Rejected<>(r.code(), r.message(), r.id());
        }
        return decode(((Decoded.Ok<Map<String, Object>>) read).value());
    }

    /** Decodes an order already parsed (and size-checked) by {@link OrderPayload#read} or inside a signed statement. */
    public static Decoded<DeployOrder> decode(Map<String, Object> map) {
        Optional<OperationId> id = Optional.empty();
        try {
            Fields f = new Fields(map, "");
            id = Optional.of(new OperationId(f.requireString("id")));
            f.refuseUnknown(List.of("id", "app", "image", "resources", "restart", "capabilities", "devices", "network", "networks", "ports", "egress",
                    "volumes", "seccomp", "health", "strategy"));
            AppName app = new AppName(f.requireString("app"));
            ImageRef image = ImageRef.parse(f.requireString("image"));
            image.requireDigest();
            ResourceRequest resources = ResourceRequest.DEFAULTS;
            Optional<Fields> r = f.optionalObject("resources");
            if (r.isPresent()) {
                r.get().refuseUnknown(List.of("memoryBytes", "pids", "cpus"));
                resources = new ResourceRequest(r.get().optionalLong("memoryBytes"), r.get().optionalLong("pids"),
                        r.get().optionalCpus("cpus"));
            }
            RestartMode restart = f.optionalString("restart").map(RestartMode::parse).orElse(DeployOrder.DEFAULT_RESTART);
            dev.edgeagent.protocol.AppNetwork network = network(f);
            List<VolumeMount> volumes = new java.util.ArrayList<>();
            for (Fields v : f.optionalObjects("volumes")) {
                v.refuseUnknown(List.of("name", "path", "readOnly"));
                volumes.add(new VolumeMount(v.requireString("name"), v.requireString("path"), v.optionalBoolean("readOnly")));
            }
            AppOptions options = new AppOptions(new java.util.LinkedHashSet<>(f.optionalStrings("capabilities").orElse(List.of())),
                    f.optionalStrings("devices").orElse(List.of()), network, volumes,
                    f.optionalObject("seccomp").map(Fields::asMap), healthGrace(f), healthProbe(f),
                    f.optionalString("strategy").map(dev.edgeagent.protocol.UpdateStrategy::parse)
                            .orElse(dev.edgeagent.protocol.UpdateStrategy.STOP_THEN_START));
            return new Decoded.Ok<>(new DeployOrder(id.get(), app, image, resources, restart, options), id);
        } catch (Fields.WireException | IllegalArgumentException e) {
            return new Decoded.Rejected<>(ErrorCode.BAD_REQUEST, e.getMessage(), id);
        }
    }

    /** The order id of any payload, when it is a JSON object with a valid {@code id}: for refusing it by name. */
    public static Optional<OperationId> peekId(byte[] payload, int maxBytes) {
        if (payload.length > maxBytes) {
            return Optional.empty();
        }
        try {
            return new Fields(Json.object(payload), "").optionalString("id").map(OperationId::new);
        } catch (IOException | Fields.WireException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code network}, and for a bridge app {@code networks}, {@code ports} and {@code egress}. */
    private static dev.edgeagent.protocol.AppNetwork network(Fields f) throws Fields.WireException {
        dev.edgeagent.protocol.NetworkMode mode = dev.edgeagent.protocol.NetworkMode.parse(f.optionalString("network").orElse("none"));
        List<dev.edgeagent.protocol.PortMapping> ports = new java.util.ArrayList<>();
        for (Fields p : f.optionalObjects("ports")) {
            p.refuseUnknown(List.of("host", "container", "proto", "hostIp"));
            ports.add(new dev.edgeagent.protocol.PortMapping(port(p, "host"), port(p, "container"), p.optionalString("proto").orElse("tcp"),
                    p.optionalString("hostIp").orElse("0.0.0.0")));
        }
        return new dev.edgeagent.protocol.AppNetwork(mode, f.optionalStrings("networks").orElse(List.of()), ports,
                f.optionalStrings("egress").orElse(List.of()));
    }

    private static int port(Fields p, String name) throws Fields.WireException {
        long v = p.optionalLong(name).orElseThrow(() -> new Fields.WireException("ports: each entry needs '" + name + "'"));
        return (int) Math.max(-1, Math.min(v, Integer.MAX_VALUE));
    }

    private static Map<String, Object> probe(dev.edgeagent.protocol.HealthProbe p) {
        if (p instanceof dev.edgeagent.protocol.HealthProbe.Exec e) {
            return Map.of("exec", e.command());
        }
        if (p instanceof dev.edgeagent.protocol.HealthProbe.Tcp t) {
            return Map.of("tcp", Map.of("port", t.port()));
        }
        dev.edgeagent.protocol.HealthProbe.Http h = (dev.edgeagent.protocol.HealthProbe.Http) p;
        return Map.of("http", Map.of("port", h.port(), "path", h.path()));
    }

    /** {@code health.probe}: exactly one of {@code exec: [..]}, {@code tcp: {port}}, {@code http: {port, path}}. */
    private static Optional<dev.edgeagent.protocol.HealthProbe> healthProbe(Fields f) throws Fields.WireException {
        Optional<Fields> health = f.optionalObject("health");
        Optional<Fields> probe = health.isPresent() ? health.get().optionalObject("probe") : Optional.empty();
        if (probe.isEmpty()) {
            return Optional.empty();
        }
        Fields p = probe.get();
        p.refuseUnknown(List.of("exec", "tcp", "http"));
        if (p.keys().size() != 1) {
            throw new Fields.WireException("health.probe takes exactly one of exec, tcp, http");
        }
        if (p.keys().contains("exec")) {
            return Optional.of(new dev.edgeagent.protocol.HealthProbe.Exec(p.optionalStrings("exec").orElseThrow()));
        }
        Fields target = p.optionalObject(p.keys().iterator().next()).orElseThrow(() -> new Fields.WireException("health.probe.tcp/http must be an object"));
        int port = (int) Math.max(-1, Math.min(target.optionalLong("port").orElseThrow(() -> new Fields.WireException("health.probe needs a port")), Integer.MAX_VALUE));
        if (p.keys().contains("tcp")) {
            target.refuseUnknown(List.of("port"));
            return Optional.of(new dev.edgeagent.protocol.HealthProbe.Tcp(port));
        }
        target.refuseUnknown(List.of("port", "path"));
        return Optional.of(new dev.edgeagent.protocol.HealthProbe.Http(port, target.optionalString("path").orElse("/")));
    }

    private static int healthGrace(Fields f) throws Fields.WireException {
        Optional<Fields> health = f.optionalObject("health");
        if (health.isEmpty()) {
            return 0;
        }
        health.get().refuseUnknown(List.of("graceSeconds", "probe"));
        long grace = health.get().optionalLong("graceSeconds").orElse(0);
        return (int) Math.max(-1, Math.min(grace, Integer.MAX_VALUE));
    }
}
