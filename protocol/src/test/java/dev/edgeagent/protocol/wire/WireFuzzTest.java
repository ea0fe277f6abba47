package dev.edgeagent.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.Commands;
import dev.edgeagent.protocol.Decoded;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated payloads at every decoder: each answer is Ok or Rejected with a code and a sentence, never an
 * exception. Seeded, so a failure reproduces; 20,000 cases run in well under a second.
 */
class WireFuzzTest {
    private static final List<String> SEEDS = List.of(
            "{\"id\":\"op-1\",\"app\":\"demo\",\"image\":\"127.0.0.1:5000/demo@sha256:" + "a".repeat(64) + "\","
                    + "\"resources\":{\"memoryBytes\":67108864,\"pids\":32,\"cpus\":0.5},\"restart\":\"always\","
                    + "\"capabilities\":[\"CAP_NET_BIND_SERVICE\"],\"devices\":[\"/dev/ttyUSB0\"],\"network\":\"host\","
                    + "\"volumes\":[{\"name\":\"data\",\"path\":\"/data\",\"readOnly\":true}],"
                    + "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}",
            "{\"id\":\"op-2\",\"app\":\"demo\",\"tail\":20}",
            "{\"id\":\"op-3\",\"app\":\"demo\",\"purge\":true}",
            "{\"id\":\"op-4\"}");
    private static final String ALPHABET = "{}[]\":,0123456789-.eE truefalsnul\\/abcdefghijklmnopqrstuvwxyz\u00e9\u0000\ud83d";

    @Test
    void noPayloadMakesADecoderThrow() {
        Random random = new Random(20261122L);
        for (int i = 0; i < 20_000; i++) {
            byte[] payload = random.nextInt(4) == 0 ? noise(random) : mutate(SEEDS.get(random.nextInt(SEEDS.size())), random);
            check(DeployOrderJson.decode(payload, 65536));
            for (String command : Commands.FIELDS.keySet()) {
                check(AppOrderJson.decode(command, payload, 65536));
            }
        }
    }

    private static void check(Decoded<?> d) {
        assertNotNull(d);
        if (d instanceof Decoded.Rejected<?> r) {
            assertNotNull(r.code());
            assertTrue(r.message() != null && !r.message().isBlank(), "a rejection says why");
        }
    }

    private static byte[] noise(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(200);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] mutate(String seed, Random r) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + r.nextInt(6);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(4)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 2 -> sb.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                default -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + r.nextInt(20))));
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
