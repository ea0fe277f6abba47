package dev.edgeagent.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.ResourceRequest;
import dev.edgeagent.protocol.ImageRef;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DeployOrderJsonTest {
    private static final String IMAGE = "127.0.0.1:5000/demo@sha256:" + "b".repeat(64);

    private static Decoded<DeployOrder> decode(String json) {
        return DeployOrderJson.decode(json.getBytes(StandardCharsets.UTF_8), 4096);
    }

    private static Decoded.Rejected<DeployOrder> rejected(String json) {
        return assertInstanceOf(Decoded.Rejected.class, decode(json));
    }

    @Test
    void roundTrips() {
        DeployOrder order = new DeployOrder(new OperationId("op-1"), new AppName("demo"), ImageRef.parse(IMAGE),
                new ResourceRequest(OptionalLong.of(64L << 20), OptionalLong.of(32)));
        Decoded<DeployOrder> back = DeployOrderJson.decode(DeployOrderJson.encode(order), 4096);
        assertEquals(order, assertInstanceOf(Decoded.Ok.class, back).value());
    }

    @Test
    void rejectsWhatIsNotAnOrderWithAReasonAndKeepsTheIdWhenItCan() {
        assertEquals(ErrorCode.BAD_REQUEST, rejected("not json").code());
        assertEquals(ErrorCode.BAD_REQUEST, rejected("[1,2]").code());
        assertTrue(rejected("{\"app\":\"demo\"}").message().contains("'id' is missing"));
        Decoded.Rejected<DeployOrder> noImage = rejected("{\"id\":\"op-2\",\"app\":\"demo\"}");
        assertEquals(Optional.of(new OperationId("op-2")), noImage.id());
        assertTrue(noImage.message().contains("'image' is missing"));
        assertTrue(rejected("{\"id\":\"op-3\",\"app\":\"demo\",\"image\":\"127.0.0.1:5000/demo:latest\"}").message()
                .contains("not pinned by digest"));
        assertTrue(rejected("{\"id\":\"op-4\",\"app\":\"Demo/../x\",\"image\":\"" + IMAGE + "\"}").message().contains("app name"));
        assertTrue(rejected("{\"id\":\"op-5\",\"app\":\"demo\",\"image\":\"" + IMAGE + "\",\"resources\":{\"memoryBytes\":\"lots\"}}")
                .message().contains("resources.memoryBytes"));
        assertTrue(rejected("{\"id\":\"op-6\",\"app\":\"demo\",\"image\":\"" + IMAGE + "\",\"imgae\":1}").message()
                .contains("unknown field 'imgae'"));
        assertTrue(rejected("{\"id\":\"op-7\",\"app\":\"demo\",\"image\":\"" + IMAGE + "\",\"resources\":{\"pids\":0}}")
                .message().contains("pids"));
    }

    @Test
    void volumePathsNamingTheRootOrAParentThroughDotComponentsAreRejectedAsBadRequests() {
        for (String path : new String[] {"/.", "/..", "/data/.", "/data/..", "/./data", "/a/./b", "/a/../proc"}) {
            Decoded.Rejected<DeployOrder> r = rejected("{\"id\":\"op-v\",\"app\":\"demo\",\"image\":\"" + IMAGE
                    + "\",\"volumes\":[{\"name\":\"data\",\"path\":\"" + path + "\"}]}");
            assertEquals(ErrorCode.BAD_REQUEST, r.code(), path);
            assertTrue(r.message().contains("volume path '" + path + "'"), r.message());
            assertEquals(Optional.of(new OperationId("op-v")), r.id());
        }
        assertInstanceOf(Decoded.Ok.class, decode("{\"id\":\"op-v\",\"app\":\"demo\",\"image\":\"" + IMAGE
                + "\",\"volumes\":[{\"name\":\"data\",\"path\":\"/var/lib/.hidden..x\"}]}"));
    }

    @Test
    void rejectsOversizedPayloadsBeforeParsing() {
        byte[] big = new byte[5000];
        Decoded.Rejected<?> r = assertInstanceOf(Decoded.Rejected.class, DeployOrderJson.decode(big, 4096));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, r.code());
    }

    @Test
    void healthProbesRoundTripAndBadOnesAreRefusedWithTheReason() {
        String base = "{\"id\":\"h\",\"app\":\"a\",\"image\":\"" + IMAGE + "\",";
        String exec = base + "\"health\":{\"graceSeconds\":5,\"probe\":{\"exec\":[\"/bin/check\",\"--quick\"]}}}";
        DeployOrder order = ((Decoded.Ok<DeployOrder>) decode(exec)).value();
        assertEquals(java.util.Optional.of(new dev.edgeagent.protocol.HealthProbe.Exec(java.util.List.of("/bin/check", "--quick"))),
                order.options().healthProbe());
        assertEquals(order, ((Decoded.Ok<DeployOrder>) DeployOrderJson.decode(DeployOrderJson.encode(order), 65536)).value());
        String http = base + "\"network\":\"host\",\"health\":{\"graceSeconds\":5,\"probe\":{\"http\":{\"port\":8080,\"path\":\"/healthz\"}}}}";
        DeployOrder h = ((Decoded.Ok<DeployOrder>) decode(http)).value();
        assertEquals(order.options().healthProbe().isPresent(), h.options().healthProbe().isPresent());
        assertEquals(h, ((Decoded.Ok<DeployOrder>) DeployOrderJson.decode(DeployOrderJson.encode(h), 65536)).value());

        assertTrue(rejected(base + "\"health\":{\"graceSeconds\":5,\"probe\":{\"tcp\":{\"port\":80}}}}").message().contains("need \"network\": \"host\""));
        assertTrue(rejected(base + "\"health\":{\"probe\":{\"exec\":[\"/x\"]}}}").message().contains("needs health.graceSeconds"));
        assertTrue(rejected(base + "\"health\":{\"graceSeconds\":5,\"probe\":{\"exec\":[\"/x\"],\"tcp\":{\"port\":1}}}}").message().contains("exactly one"));
        assertTrue(rejected(base + "\"network\":\"host\",\"health\":{\"graceSeconds\":5,\"probe\":{\"tcp\":{\"port\":70000}}}}").message().contains("1..65535"));
    }
}
