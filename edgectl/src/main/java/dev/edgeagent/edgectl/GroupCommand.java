package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.AppOrder;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.AppOrderJson;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One command to every member of a group (found from their retained status): each device gets its own order,
 * signed for it, and answers for itself; the exit code is 0 only when every member answered ok.
 */
final class GroupCommand {
    private GroupCommand() {}

    static int run(String command, String group, AppOrder template, OrderSigner signer, String broker, long timeoutMillis,
            boolean json, PrintStream out, PrintStream err) throws MqttException, InterruptedException {
        try (BrokerSession session = new BrokerSession(broker)) {
            List<String> members = new Rollout(session, signer, out).discover(group, 1500);
            if (members.isEmpty()) {
                err.println("edgectl: no device reports membership of group " + group + " (none has published status?)");
                return Main.FAILED;
            }
            Map<String, String> deviceOf = new LinkedHashMap<>();
            for (String d : members) {
                OperationId id = OperationId.random();
                AppOrder order = new AppOrder(id, template.app(), template.tail(), template.purge());
                deviceOf.put(id.value(), d);
                session.sendOrder(new DeviceId(d), command,
                        signer.wrap(d, command, AppOrderJson.encode(order), OrderSigner.ORDER_VALIDITY), id.value());
            }
            Map<String, Map<String, Object>> replies = new TreeMap<>();
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (replies.size() < members.size() && System.currentTimeMillis() < deadline) {
                BrokerSession.Received r = session.next(Math.max(1, deadline - System.currentTimeMillis()));
                if (r == null || !session.isReply(r.topic())) {
                    continue;
                }
                Map<String, Object> reply = parse(r.message().getPayload());
                String device = deviceOf.get(String.valueOf(reply.get("id")));
                if (device != null) {
                    replies.put(device, reply);
                }
            }
            int failed = 0;
            for (String d : members) {
                Map<String, Object> reply = replies.get(d);
                boolean ok = reply != null && Boolean.TRUE.equals(reply.get("ok"));
                failed += ok ? 0 : 1;
                if (json) {
                    out.println(reply == null ? "{\"device\":\"" + d + "\",\"ok\":false,\"code\":\"NO_REPLY\"}" : new String(Json.compact(withDevice(d, reply))));
                } else {
                    out.printf("%-24s %-7s %s%n", d, reply == null ? "SILENT" : ok ? "ok" : "FAILED",
                            reply == null ? "no reply within the timeout" : (ok ? "" : "[" + reply.get("code") + "] ") + reply.get("message"));
                }
            }
            if (!json) {
                out.println(group + ": " + (members.size() - failed) + " of " + members.size() + " ok");
            }
            return failed == 0 ? Main.OK : Main.FAILED;
        }
    }

    private static Map<String, Object> withDevice(String device, Map<String, Object> reply) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        m.putAll(reply);
        return m;
    }

    private static Map<String, Object> parse(byte[] payload) {
        try {
            return Json.object(payload);
        } catch (IOException e) {
            return Map.of();
        }
    }
}
