import dev.edgeagent.security.sign.Envelope;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What signed orders cost the agent: opening one DSSE envelope's signature (the PAE of a typical 600-byte order
 * statement) per key kind, with the verifier the agent uses. Run by bench/verify-bench:
 * java -cp edgectl/target/edgectl.jar bench/VerifyBench.java [ROUNDS]
 */
public class VerifyBench {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        byte[] statement = ("{\"target\":\"gw-0042\",\"command\":\"deploy\",\"issuedAt\":\"2026-11-22T12:00:00Z\","
                + "\"expiresAt\":\"2026-11-22T12:10:00Z\",\"sequence\":1795000000000000,\"order\":{\"id\":\"op-1\",\"app\":\"demo\","
                + "\"image\":\"registry.example:5000/apps/demo@sha256:" + "a".repeat(64) + "\",\"resources\":{\"memoryBytes\":67108864},"
                + "\"health\":{\"graceSeconds\":5}}}").getBytes(StandardCharsets.UTF_8);
        System.out.printf("%-12s %12s %12s%n", "key", "sign (ms)", "verify (ms)");
        for (KeyKind kind : KeyKind.values()) {
            SigningKey key = SigningKey.generate(kind);
            byte[] pae = Envelope.pae("application/vnd.edgeagent.order.v1+json", statement);
            byte[] sig = key.sign(pae);
            double signMs = 0;
            double verifyMs = 0;
            for (int warm = 0; warm < 2; warm++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < rounds / 10; i++) {
                    key.sign(pae);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    if (!key.publicKey().verifies(pae, sig)) {
                        throw new AssertionError("a valid signature did not verify");
                    }
                }
                long t2 = System.nanoTime();
                signMs = (t1 - t0) / 1e6 / (rounds / 10);
                verifyMs = (t2 - t1) / 1e6 / rounds;
            }
            System.out.printf("%-12s %12.3f %12.3f%n", kind.cliName(), signMs, verifyMs);
        }
    }
}
