package dev.edgeagent.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Replies go only to the device's own reply namespace: no confused deputy, nothing the MQTT client would refuse. */
class ResponseTopicsTest {
    final Topics topics = new Topics(new DeviceId("gw-1"));

    @Test
    void theDevicesReplyTopicAndTopicsUnderItAreTaken() {
        assertEquals(Optional.empty(), ResponseTopics.problem(topics, "edge/gw-1/reply"));
        assertEquals(Optional.empty(), ResponseTopics.problem(topics, "edge/gw-1/reply/edgectl-1234"));
        assertEquals(Optional.of("edge/gw-1/reply/op"), ResponseTopics.replyTo(topics, "edge/gw-1/reply/op", null).responseTopic());
    }

    @Test
    void anythingElseIsRefusedWithAReason() {
        for (String t : new String[] {"edge/gw-2/reply", "edge/gw-1/cmd/remove", "edge/gw-1/status", "edge/gw-1/reply/", "edge/gw-1/replyx",
                "edge/gw-1/reply/#", "edge/gw-1/reply/+/x", "edge/gw-1/reply/a\0b", "edge/gw-1/reply/" + "x".repeat(300)}) {
            ReplyTo r = ResponseTopics.replyTo(topics, t, new byte[] {1});
            assertTrue(r.refused().isPresent(), t);
            assertEquals(Optional.empty(), r.responseTopic(), "a refused topic is never published to: " + t);
            assertTrue(r.correlationData().isPresent(), "the refusal still carries the correlation data");
        }
    }

    @Test
    void noResponseTopicMeansTheDefault() {
        assertEquals(ReplyTo.DEFAULT.responseTopic(), ResponseTopics.replyTo(topics, "", null).responseTopic());
        assertEquals(Optional.empty(), ResponseTopics.replyTo(topics, null, null).refused());
    }
}
