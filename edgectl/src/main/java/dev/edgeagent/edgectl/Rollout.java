package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.Envelope;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Rolls a desired state out to a group in waves: each device of a wave gets the document on its own topic, signed
 * for it; the wave is judged by the devices' own status (applied, failed, or silent past the timeout); too many
 * failures halt the rollout before the next wave is touched and, if asked, give the devices already done their
 * previous apps back under the next version. The group's own topic gets the document last, for devices that join later.
 */
final class Rollout {
    /** One device's verdict on the wave's version. */
    record Outcome(String device, boolean ok, String detail) {}

    private final BrokerSession session;
    private final OrderSigner signer;
    private final PrintStream out;
    private final Map<String, Map<String, Object>> statuses = new TreeMap<>();
    private final Map<String, List<Object>> previousApps = new TreeMap<>();
    private List<Object> groupApps = List.of();

    Rollout(BrokerSession session, OrderSigner signer, PrintStream out) {
        this.session = session;
        this.signer = signer;
        this.out = out;
    }

    /** The devices whose retained status says they follow {@code group}, and what each was told to run before. */
    List<String> discover(String group, long windowMillis) throws MqttException, InterruptedException {
        session.subscribe("edge/+/status");
        session.subscribe("edge/+/desired");
        session.subscribe(Topics.groupDesired(group));
        drain(windowMillis);
        List<String> members = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : statuses.entrySet()) {
            if (e.getValue().get("groups") instanceof List<?> groups && groups.contains(group)) {
                members.add(e.getKey());
            }
        }
        return members;
    }

    /**
     * Reads what the broker holds retained, which it sends at once: for {@code windowMillis}, or less when it goes
     * quiet. A busy fleet republishes status all the time, so quiet alone would never come.
     */
    private void drain(long windowMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + windowMillis;
        BrokerSession.Received r;
        while (System.currentTimeMillis() < deadline && (r = session.next(Math.min(500, deadline - System.currentTimeMillis()))) != null) {
            take(r);
        }
    }

    private void take(BrokerSession.Received r) {
        String[] parts = r.topic().split("/");
        byte[] payload = r.message().getPayload();
        if (parts.length != 3 || payload.length == 0) {
            if (parts.length == 4 && "group".equals(parts[1]) && payload.length > 0) {
                groupApps = appsOf(payload);
            }
            return;
        }
        if ("status".equals(parts[2])) {
            try {
                statuses.put(parts[1], Json.object(payload));
            } catch (IOException e) {
                // a status that is not JSON tells nothing
            }
        } else if ("desired".equals(parts[2])) {
            previousApps.put(parts[1], appsOf(payload));
        }
    }

    /** The apps of a published desired state, signed or not, read only to give them back on a rollback. */
    @SuppressWarnings("unchecked")
    private static List<Object> appsOf(byte[] payload) {
        try {
            Map<String, Object> doc;
            try {
                Map<String, Object> statement = Json.object(Envelope.parse(payload).payload());
                doc = (Map<String, Object>) statement.get("order");
            } catch (IOException e) {
                doc = Json.object(payload);
            }
            return doc.get("apps") instanceof List<?> apps ? new ArrayList<>((List<Object>) apps) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** What {@code device} ran before this rollout: its own document, else its group's. */
    List<Object> previousApps(String device) {
        return previousApps.getOrDefault(device, groupApps);
    }

    /** Publishes each device's apps as version {@code version} on its own topic, and waits for each one's verdict. */
    List<Outcome> apply(List<String> devices, long version, java.util.function.Function<String, List<Object>> appsFor,
            long timeoutMillis) throws MqttException, InterruptedException {
        for (String d : devices) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("version", version);
            doc.put("target", d);
            doc.put("apps", appsFor.apply(d));
            signer.sign(session, new Topics(new DeviceId(d)).desired(), d, doc);
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Map<String, Outcome> verdicts = new TreeMap<>();
        while (verdicts.size() < devices.size()) {
            for (String d : devices) {
                verdict(d, version).ifPresent(o -> {
                    if (verdicts.putIfAbsent(d, o) == null) {
                        out.println("    " + (o.ok() ? "ok     " : "FAILED ") + d + (o.detail().isEmpty() ? "" : "  " + o.detail()));
                    }
                });
            }
            long left = deadline - System.currentTimeMillis();
            if (verdicts.size() == devices.size() || left <= 0) {
                break;
            }
            BrokerSession.Received r = session.next(Math.min(left, 1000));
            if (r != null) {
                take(r);
            }
        }
        List<Outcome> outcomes = new ArrayList<>(verdicts.values());
        for (String d : new TreeSet<>(devices)) {
            if (!verdicts.containsKey(d)) {
                Outcome silent = new Outcome(d, false, "no status for version " + version + " within " + timeoutMillis / 1000 + " s");
                out.println("    FAILED " + d + "  " + silent.detail());
                outcomes.add(silent);
            }
        }
        return outcomes;
    }

    @SuppressWarnings("unchecked")
    private Optional<Outcome> verdict(String device, long version) {
        Map<String, Object> status = statuses.get(device);
        if (status == null || !(status.get("desired") instanceof Map<?, ?> desired)) {
            return Optional.empty();
        }
        if (!(desired.get("version") instanceof Number v) || v.longValue() != version || !device.equals(desired.get("target"))) {
            return Optional.empty();
        }
        if (Boolean.TRUE.equals(desired.get("applied"))) {
            return Optional.of(new Outcome(device, true, ""));
        }
        StringBuilder why = new StringBuilder();
        if (desired.get("failures") instanceof List<?> failures) {
            for (Object f : failures) {
                Map<String, Object> m = (Map<String, Object>) f;
                why.append(why.length() == 0 ? "" : "; ").append(m.get("app")).append(": ").append(m.get("code")).append(" ").append(m.get("message"));
            }
        }
        return Optional.of(new Outcome(device, false, why.toString()));
    }
}
