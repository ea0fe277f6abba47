package dev.edgeagent.security.sign;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * The signed wire: a DSSE envelope, the order statement inside it, and a trust document, fed whatever Jazzer makes.
 * Each may refuse ({@link IOException}, {@link TrustFailure}) and nothing else. Seeds and found crashes replay in the
 * normal suite; with JAZZER_FUZZ=1 they fuzz (bench/fuzz).
 */
class EnvelopeFuzzTest {
    @FuzzTest
    void envelope(byte[] input) {
        try {
            Envelope.parse(input, 64 * 1024);
        } catch (IOException refused) {
            // bad input is refused
        }
    }

    @FuzzTest
    void signedOrder(byte[] input) {
        try {
            SignedOrder.fromJson(input);
        } catch (IOException refused) {
            // bad input is refused
        }
    }

    @FuzzTest
    void trustDocument(byte[] input) {
        try {
            TrustDocument.selfSigned(input);
        } catch (TrustFailure refused) {
            // bad input is refused
        }
    }
}
