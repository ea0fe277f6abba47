package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every command over the real broker, from mosquitto_pub; an order delivered twice is answered, not done twice. */
class ControlPlaneIT {
    static AgentFixture f;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        f = AgentFixture.withDemo("control", List.of());
        image = f.demo;
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> result(Map<String, Object> reply) {
        assertEquals(true, reply.get("ok"), reply.toString());
        return (Map<String, Object>) reply.get("result");
    }

    @Test
    void readOnlyCommandsAnswer() throws Exception {
        assertEquals("pong", f.command("ping", "{\"id\":\"op-ping\"}", "op-ping").get("message"));
        Map<String, Object> info = result(f.command("info", "{\"id\":\"op-info\"}", "op-info"));
        assertEquals("control", info.get("device"));
        assertTrue(String.valueOf(info.get("runtimeChoice")).contains("runc"));
        assertTrue(result(f.command("list", "{\"id\":\"op-list\"}", "op-list")).get("apps") instanceof List<?>);
        Map<String, Object> missing = f.command("inspect", "{\"id\":\"op-none\",\"app\":\"nobody\"}", "op-none");
        assertEquals("NOT_FOUND", missing.get("code"));
        Map<String, Object> noApp = f.command("stop", "{\"id\":\"op-noapp\"}", "op-noapp");
        assertEquals("BAD_REQUEST", noApp.get("code"));
        assertTrue(String.valueOf(noApp.get("message")).contains("'app' is missing"));
    }

    @Test
    void repliesGoOnlyToTheDevicesReplyNamespace() throws Exception {
        try (MqttCli.Subscription victim = f.mqtt.subscribe("edge/victim/#");
                MqttCli.Subscription fallback = f.mqtt.subscribe("edge/control/reply")) {
            // A response topic elsewhere would have the device publish there with its own broker rights.
            f.mqtt.publish("edge/control/cmd/ping", "{\"id\":\"op-deputy\"}", "edge/victim/cmd/remove", "op-deputy");
            Map<String, Object> refused = dev.edgeagent.protocol.wire.Json.object(fallback.next("\"op-deputy\"", 30).getBytes());
            assertEquals("BAD_REQUEST", refused.get("code"), refused.toString());
            assertTrue(String.valueOf(refused.get("message")).contains("outside this device's reply namespace"), refused.toString());

            // A wildcard, which the MQTT client cannot publish to: refused on the default topic, and the order after it
            // is still taken (it was acknowledged; nothing stalls).
            f.mqtt.publish("edge/control/cmd/ping", "{\"id\":\"op-wild\"}", "edge/control/reply/#", "op-wild");
            Map<String, Object> wild = dev.edgeagent.protocol.wire.Json.object(fallback.next("\"op-wild\"", 30).getBytes());
            assertEquals("BAD_REQUEST", wild.get("code"), wild.toString());
            f.mqtt.publish("edge/control/cmd/stop", "{\"id\":\"op-wild-2\",\"app\":\"nobody\"}", "edge/control/reply/#", "op-wild-2");
            assertEquals("BAD_REQUEST", dev.edgeagent.protocol.wire.Json.object(fallback.next("\"op-wild-2\"", 30).getBytes()).get("code"));
            assertEquals("pong", f.command("ping", "{\"id\":\"op-after-wild\"}", "op-after-wild").get("message"));
            assertEquals(List.of(), victim.drain(500), "nothing was published outside the device's namespace");
        }
    }

    @Test
    void aTrustDocumentOverItsLimitIsRefusedUnread() throws Exception {
        f.mqtt.publishRetained("edge/control/trust", "{\"payload\":\"" + "A".repeat(100_000) + "\"}");
        Map<String, Object> refused = f.event("-", "trust.refused", 30);
        assertEquals("PAYLOAD_TOO_LARGE", refused.get("code"), refused.toString());
        assertTrue(String.valueOf(refused.get("message")).contains("the limit is 65536"), refused.toString());
        f.mqtt.publishRetained("edge/control/trust", "");
    }

    @Test
    void anAppsLifeFromDeployToRemove() throws Exception {
        assertEquals(true, f.deploy("op-life", "life", image, "").get("ok"));
        f.lines("life", "report: end", 1);

        assertEquals("STOPPED", result(f.command("stop", "{\"id\":\"op-stop\",\"app\":\"life\"}", "op-stop")).get("phase"));
        assertFalse(f.containers().contains("life-1"));
        Thread.sleep(1500); // past the first restart backoff: an operator's stop is not a failure to restart from
        assertFalse(f.containers().contains("life-1"), "a stopped app stays stopped");
        assertEquals("STOPPED", result(f.command("inspect", "{\"id\":\"op-i1\",\"app\":\"life\"}", "op-i1")).get("phase"));

        assertEquals("RUNNING", result(f.command("start", "{\"id\":\"op-start\",\"app\":\"life\"}", "op-start")).get("phase"));
        f.lines("life", "report: end", 2);
        assertEquals("RUNNING", result(f.command("restart", "{\"id\":\"op-restart\",\"app\":\"life\"}", "op-restart")).get("phase"));
        f.lines("life", "report: end", 3);

        @SuppressWarnings("unchecked")
        List<String> lines = (List<String>) result(f.command("logs", "{\"id\":\"op-logs\",\"app\":\"life\",\"tail\":3}", "op-logs"))
                .get("lines");
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(String.join("\n", Files.readAllLines(f.log("life"))).endsWith(String.join("\n", lines)));

        assertEquals(true, f.command("remove", "{\"id\":\"op-rm\",\"app\":\"life\",\"purge\":true}", "op-rm").get("ok"));
        assertEquals("NOT_FOUND", f.command("inspect", "{\"id\":\"op-i2\",\"app\":\"life\"}", "op-i2").get("code"));
        assertFalse(Files.exists(f.config.root().resolve("apps/life")), "no generation is left");
        assertFalse(Files.exists(f.log("life")), "no log is left");
        assertFalse(f.containers().contains("life-1"));
    }

    @Test
    void aRestartedContainerIsWatchedItsExitCodeSeenAndItsProcessReaped() throws Exception {
        // A restart stops and starts the container in one operation, while the old process's end is still queued:
        // the new process must be watched all the same (it was not: its exit went unseen and it stayed a zombie).
        String brief = TestImages.push(f, "brief", List.of("/bin/sh", "-c", "trap 'exit 0' TERM; echo 'brief: up'; sleep 4 & wait $!; exit 7"),
                null);
        assertEquals(true, f.deploy("op-brief", "brief", brief, ",\"restart\":\"no\"").get("ok"));
        String container = String.valueOf(result(f.command("restart", "{\"id\":\"op-brief-restart\",\"app\":\"brief\"}",
                "op-brief-restart")).get("container"));
        long pid = f.pidOf(container);
        Map<String, Object> exited = f.event("brief", "container.exited", 30);
        assertEquals("7", String.valueOf(exited.get("exitCode")), "the exit code the reaper saw: " + exited);
        // The agent runs in this JVM and is the containers' subreaper: the restarted process is waited for, not left a
        // zombie. (Other test classes' containers, killed when their fixture closed, may be: only this one is looked at.)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> zombieChildren().stream().noneMatch(z -> z.startsWith(pid + " ")));
        result(f.command("remove", "{\"id\":\"op-brief-rm\",\"app\":\"brief\"}", "op-brief-rm"));
    }

    /** This JVM's children that have ended and not been waited for, as "pid comm". */
    private static List<String> zombieChildren() throws java.io.IOException {
        String self = Long.toString(ProcessHandle.current().pid());
        List<String> zombies = new java.util.ArrayList<>();
        try (var procs = Files.list(java.nio.file.Path.of("/proc"))) {
            for (java.nio.file.Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (after[0].equals("Z") && after[1].equals(self)) {
                        zombies.add(p.getFileName() + " " + stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    }
                } catch (java.io.IOException gone) {
                    // ended and reaped meanwhile
                }
            }
        }
        return zombies;
    }

    @Test
    void whileTheBrokerIsAwayNothingIsLostAndStatusIsBackSoonAfter() throws Exception {
        assertEquals(true, f.deploy("op-steady", "sturdy", image, "").get("ok"));
        f.lines("sturdy", "report: end", 1);
        long pid = f.pidOf("sturdy-1");

        f.stopBroker();
        // The app dies while the agent cannot tell anyone: the supervisor restarts it and queues what happened.
        dev.edgeagent.testkit.Tools.run(List.of("kill", "-KILL", Long.toString(pid)), 10).orThrow("kill");
        f.lines("sturdy", "report: end", 2);
        f.startBroker();
        long back = System.nanoTime();

        Map<String, Object> status = f.status("\"restarts\":1");
        assertTrue(System.nanoTime() - back < 15_000_000_000L, "status is back soon after the broker");
        assertEquals(0, status.get("eventsDropped"));
        Map<String, Object> exited = f.event("sturdy", "container.exited", 30);
        assertEquals(9, exited.get("signal"), exited.toString());
        assertEquals(1, f.event("sturdy", "container.restarted", 30).get("restarts"));

        Thread.sleep(1000); // the reply listener reconnects too
        assertEquals("pong", f.command("ping", "{\"id\":\"op-ping-after\"}", "op-ping-after").get("message"));
        f.command("remove", "{\"id\":\"op-sturdy-rm\",\"app\":\"sturdy\"}", "op-sturdy-rm");
    }

    private static java.util.Set<com.networknt.schema.ValidationMessage> validate(String schema, String json) throws Exception {
        String text = Files.readString(dev.edgeagent.testkit.Tools.repoRoot().resolve("docs/schemas/" + schema));
        return com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7).getSchema(text)
                .validate(json, com.networknt.schema.InputFormat.JSON);
    }

    @Test
    void realMessagesMatchTheSchemasInDocs() throws Exception {
        String order = "{\"id\":\"op-schema\",\"app\":\"schema\",\"image\":\"" + image + "\",\"resources\":{\"cpus\":0.5},"
                + "\"restart\":\"no\"}";
        assertEquals(java.util.Set.of(), validate("deploy-order.schema.json", order));
        try (MqttCli.Subscription all = f.mqtt.subscribe("edge/control/events")) {
            f.mqtt.publish("edge/control/cmd/deploy", order, "edge/control/reply/test", "op-schema");
            String reply = f.replies.next("\"op-schema\"", 60);
            assertEquals(java.util.Set.of(), validate("reply.schema.json", reply), reply);
            for (String type : List.of("deploy.accepted", "pull.started", "pull.progress", "unpack.layer", "container.started")) {
                String event = all.next("\"type\":\"" + type + "\"", 30);
                assertEquals(java.util.Set.of(), validate("event.schema.json", event), event);
            }
        }
        String error = new String(dev.edgeagent.protocol.wire.Json.compact(
                f.command("inspect", "{\"id\":\"op-schema-x\",\"app\":\"nobody\"}", "op-schema-x")));
        assertEquals(java.util.Set.of(), validate("reply.schema.json", error), error);
        try (MqttCli.Subscription status = f.mqtt.subscribe("edge/control/status")) {
            String doc = status.next("\"schema\"", 20);
            assertEquals(java.util.Set.of(), validate("status.schema.json", doc), doc);
            assertTrue(doc.contains("\"limitsFrom\":{\"memoryBytes\":\"profile\",\"pids\":\"profile\",\"cpus\":\"order\"}"),
                    "the order asked for cpus only: " + doc);
        }
        String desired = "{\"version\":1,\"target\":\"control\",\"apps\":[{\"app\":\"schema\",\"image\":\"" + image + "\"}]}";
        assertEquals(java.util.Set.of(), validate("desired-state.schema.json", desired));
        assertTrue(!validate("deploy-order.schema.json", "{\"id\":\"x\",\"app\":\"Bad Name\",\"image\":\"busybox\"}").isEmpty(),
                "the schemas can fail");
        f.command("remove", "{\"id\":\"op-schema-rm\",\"app\":\"schema\"}", "op-schema-rm");
    }

    /**
     * The broker keeps the device's session while the agent is down and delivers what waits at CONNACK, which now comes
     * while the agent still sets itself up (it connects beside its local set-up): such orders wait for it, and run
     * after it has adopted its apps, in the order they were sent.
     */
    @Test
    void ordersSentWhileTheAgentIsDownAreCarriedOutInOrderWhenItStarts() throws Exception {
        assertEquals(true, f.deploy("op-away", "away", image, ",\"restart\":\"no\"").get("ok"));
        f.lines("away", "report: end", 1);
        f.stopAgent();
        String device = "edge/" + f.device;
        f.mqtt.publish(device + "/cmd/stop", "{\"id\":\"op-away-stop\",\"app\":\"away\"}", device + "/reply/test", "op-away-stop");
        f.mqtt.publish(device + "/cmd/start", "{\"id\":\"op-away-start\",\"app\":\"away\"}", device + "/reply/test", "op-away-start");
        f.mqtt.publish(device + "/cmd/ping", "{\"id\":\"op-away-ping\"}", device + "/reply/test", "op-away-ping");
        f.startAgent();
        Map<String, Map<String, Object>> replies = replies("\"op-away-", 3); // the ping's thread may answer first
        assertEquals("STOPPED", result(replies.get("op-away-stop")).get("phase"));
        assertEquals("RUNNING", result(replies.get("op-away-start")).get("phase"), "the start, sent second, ran second");
        assertEquals("pong", replies.get("op-away-ping").get("message"));
        assertEquals("RUNNING", result(f.command("inspect", "{\"id\":\"op-away-i\",\"app\":\"away\"}", "op-away-i")).get("phase"));
        f.command("remove", "{\"id\":\"op-away-rm\",\"app\":\"away\",\"purge\":true}", "op-away-rm");
    }

    /** The next {@code count} replies containing {@code needle}, by their order ids, in whatever order they came. */
    private static Map<String, Map<String, Object>> replies(String needle, int count) throws Exception {
        Map<String, Map<String, Object>> byId = new java.util.HashMap<>();
        while (byId.size() < count) {
            Map<String, Object> reply = dev.edgeagent.protocol.wire.Json.object(f.replies.next(needle, 60).getBytes());
            byId.put(String.valueOf(reply.get("id")), reply);
        }
        return byId;
    }

    @Test
    void anOrderDeliveredTwiceIsDoneOnceEvenAcrossAnAgentRestart() throws Exception {
        Map<String, Object> first = f.deploy("op-once", "once", image, ",\"restart\":\"no\"");
        assertEquals(true, first.get("ok"), first.toString());
        assertEquals("STOPPED", result(f.command("stop", "{\"id\":\"op-once-stop\",\"app\":\"once\"}", "op-once-stop")).get("phase"));

        f.stopAgent();
        f.startAgent();
        // The same deploy order again: were it done again, the stopped app would run again as generation 1.
        Map<String, Object> again = f.deploy("op-once", "once", image, ",\"restart\":\"no\"");
        assertEquals(first, again, "answered from the record");
        assertEquals("STOPPED", result(f.command("inspect", "{\"id\":\"op-once-i\",\"app\":\"once\"}", "op-once-i")).get("phase"));
        assertFalse(f.containers().contains("once-1"), "nothing was started");
        f.command("remove", "{\"id\":\"op-once-rm\",\"app\":\"once\"}", "op-once-rm");
    }
}
