package dev.edgeagent.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeagent.protocol.Decoded;
import java.util.Set;

/**
 * Every wire decoder, fed whatever Jazzer makes: each must answer Ok or Rejected and never throw ("wire input never
 * throws through"). In the normal suite these replay their seeds (src/test/resources/.../WireDecoderFuzzTestInputs/)
 * and every crash found so far; with JAZZER_FUZZ=1 they fuzz (bench/fuzz).
 */
class WireDecoderFuzzTest {
    private static final int MAX = 64 * 1024;

    @FuzzTest
    void deployOrder(byte[] input) {
        Decoded<?> d = DeployOrderJson.decode(input, MAX);
        assertNotNull(d.id());
    }

    @FuzzTest
    void appOrder(FuzzedDataProvider data) {
        String command = data.pickValue(new String[] {"start", "stop", "restart", "remove", "inspect", "logs", "list", "ping", "info"});
        assertNotNull(AppOrderJson.decode(command, data.consumeRemainingAsBytes(), MAX).id());
    }

    @FuzzTest
    void desiredState(byte[] input) {
        assertNotNull(DesiredStateJson.decode(input, MAX, Set.of("gw-1", "group:north")).id());
    }

    @FuzzTest
    void orderPayload(byte[] input) {
        assertNotNull(OrderPayload.read(input, MAX).id());
    }
}
