package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lightweight checks accept exactly what the JDK's own Signature accepts, valid and mangled alike, except an
 * Ed25519 signature with bytes after its 64, which JDK 17 accepts and RFC 8032 does not.
 */
class CurveSignaturesTest {
    private static final BigInteger P256_ORDER = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    @Test
    void theP256BasePointIsTheJdksOwn() throws Exception {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        String x = String.format("%064x", spec.getGenerator().getAffineX());
        String y = String.format("%064x", spec.getGenerator().getAffineY());
        assertEquals("04" + x + y, CurveSignatures.P256_GENERATOR);
        assertEquals(P256_ORDER, spec.getOrder());
    }

    @ParameterizedTest
    @EnumSource(value = KeyKind.class, names = {"ECDSA_P256", "ED25519"})
    void everyVerdictMatchesTheJdks(KeyKind kind) throws Exception {
        Random random = new Random(kind.ordinal());
        SigningKey key = SigningKey.generate(kind);
        SigningKey other = SigningKey.generate(kind);
        int accepted = 0;
        for (int i = 0; i < 60; i++) {
            byte[] message = new byte[random.nextInt(700)];
            random.nextBytes(message);
            byte[] signature = key.sign(message);
            for (Case c : cases(kind, message, signature, other.sign(message), random)) {
                // JDK 17's Ed25519 ignores bytes after the 64 of a signature; RFC 8032's are exactly 64, and so are ours.
                boolean jdk = jdkVerifies(key.publicKey(), c.message, c.signature) && c.signature.length == signature.length;
                assertEquals(jdk, key.publicKey().verifies(c.message, c.signature), kind + " " + c.name + ": the JDK says " + jdk);
                accepted += jdk ? 1 : 0;
            }
        }
        assertEquals(60, accepted, "only the untouched signatures verify");
    }

    @Test
    void anEcdsaSignatureOutsideTheGroupOrderIsRefused() throws Exception {
        SigningKey key = SigningKey.generate(KeyKind.ECDSA_P256);
        byte[] message = "deploy demo".getBytes(StandardCharsets.UTF_8);
        for (BigInteger[] rs : List.of(new BigInteger[] {BigInteger.ZERO, BigInteger.ONE},
                new BigInteger[] {BigInteger.ONE, BigInteger.ZERO}, new BigInteger[] {P256_ORDER, BigInteger.ONE},
                new BigInteger[] {BigInteger.ONE, P256_ORDER})) {
            assertFalse(key.publicKey().verifies(message, der(rs[0], rs[1])), Arrays.toString(rs));
        }
    }

    @Test
    void anEd25519SignatureOfTheWrongLengthIsRefusedNotThrown() {
        SigningKey key = SigningKey.generate(KeyKind.ED25519);
        byte[] message = "deploy demo".getBytes(StandardCharsets.UTF_8);
        byte[] signature = key.sign(message);
        assertFalse(key.publicKey().verifies(message, Arrays.copyOf(signature, 63)));
        assertFalse(key.publicKey().verifies(message, Arrays.copyOf(signature, 65)));
        assertFalse(key.publicKey().verifies(message, new byte[0]));
    }

    private record Case(String name, byte[] message, byte[] signature) {}

    private static List<Case> cases(KeyKind kind, byte[] message, byte[] signature, byte[] othersSignature, Random random) {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("untouched", message, signature));
        byte[] flipped = signature.clone();
        int at = random.nextInt(flipped.length);
        flipped[at] ^= (byte) (1 << random.nextInt(8));
        cases.add(new Case("bit flipped at " + at, message, flipped));
        byte[] changed = Arrays.copyOf(message, message.length + 1);
        cases.add(new Case("message extended", changed, signature));
        cases.add(new Case("another key's", message, othersSignature));
        cases.add(new Case("truncated", message, Arrays.copyOf(signature, signature.length - 1)));
        cases.add(new Case("a byte appended", message, Arrays.copyOf(signature, signature.length + 1)));
        if (kind == KeyKind.ED25519) {
            // S + L: the same signature in a non-canonical encoding (RFC 8032 requires S < L)
            byte[] s = Arrays.copyOfRange(signature, 32, 64);
            BigInteger value = new BigInteger(1, reverse(s)).add(new BigInteger("7237005577332262213973186563042994240857116359379907606001950938285454250989"));
            byte[] big = reverse(Arrays.copyOfRange(pad32(value.toByteArray()), 0, 32));
            byte[] malleated = signature.clone();
            System.arraycopy(big, 0, malleated, 32, 32);
            cases.add(new Case("S + L", message, malleated));
        } else {
            // the same numbers in a longer, non-DER length form
            byte[] ber = new byte[signature.length + 1];
            ber[0] = 0x30;
            ber[1] = (byte) 0x81;
            ber[2] = signature[1];
            System.arraycopy(signature, 2, ber, 3, signature.length - 2);
            cases.add(new Case("BER length", message, ber));
        }
        return cases;
    }

    private static boolean jdkVerifies(VerificationKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(key.kind().signatureAlgorithm());
            s.initVerify(key.key());
            s.update(message);
            return s.verify(signature);
        } catch (Exception e) {
            return false;
        }
    }

    private static byte[] der(BigInteger r, BigInteger s) {
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        byte[] out = new byte[6 + rb.length + sb.length];
        out[0] = 0x30;
        out[1] = (byte) (4 + rb.length + sb.length);
        out[2] = 0x02;
        out[3] = (byte) rb.length;
        System.arraycopy(rb, 0, out, 4, rb.length);
        out[4 + rb.length] = 0x02;
        out[5 + rb.length] = (byte) sb.length;
        System.arraycopy(sb, 0, out, 6 + rb.length, sb.length);
        return out;
    }

    private static byte[] pad32(byte[] bigEndian) {
        byte[] out = new byte[32];
        int n = Math.min(32, bigEndian.length);
        System.arraycopy(bigEndian, bigEndian.length - n, out, 32 - n, n);
        return out;
    }

    private static byte[] reverse(byte[] b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[b.length - 1 - i];
        }
        return out;
    }
}
