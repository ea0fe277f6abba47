package dev.edgeagent.security.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keyless identity rules and the sigstore section as the trust document's JSON carries them, and what is refused. */
class KeylessRulesTest {
    final SigningKey root = SigningKey.generate(KeyKind.ED25519);

    private String doc(String images, String extra) {
        return "{\"version\":1,\"issuedAt\":\"2026-12-01T00:00:00Z\",\"keys\":{\"" + root.id() + "\":" + quoted(root.publicKey().pem())
                + "},\"root\":{\"keys\":[\"" + root.id() + "\"]},\"operators\":{\"keys\":[\"" + root.id() + "\"]},\"images\":" + images + extra + "}";
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    private static TrustDocument parse(String json) throws IOException {
        return TrustDocument.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anIdentityOnlyRuleAdmitsKeylessSignersAndIsNotARefusal() throws Exception {
        TrustDocument d = parse(doc("[{\"scope\":\"r.example/ci/*\",\"identities\":[{\"issuer\":\"https://issuer.example\","
                + "\"subjectPattern\":\"https://ci\\\\.example/[a-z]+/release\"}]}]", ""));
        ImageRule rule = d.imageRule("r.example/ci/app").orElseThrow();
        assertTrue(rule.signers().isEmpty());
        assertFalse(rule.rejects());
        assertTrue(rule.identities().get(0).matches("https://issuer.example", "https://ci.example/app/release"));
        assertFalse(rule.identities().get(0).matches("https://issuer.example", "https://ci.example/app/release/extra"),
                "a pattern covers the whole subject, not a part of it");
        assertFalse(rule.identities().get(0).matches("https://other.example", "https://ci.example/app/release"));
        assertEquals(d, parse(new String(d.toJson(), StandardCharsets.UTF_8)), "written and read back alike");
    }

    @Test
    void malformedIdentitiesAndSigstoreSectionsAreRefusedWithTheReason() {
        String both = doc("[{\"scope\":\"*\",\"identities\":[{\"issuer\":\"a\",\"issuerPattern\":\"b\",\"subject\":\"c\"}]}]", "");
        assertTrue(assertThrows(IOException.class, () -> parse(both)).getMessage().contains("exactly one of 'issuer' and 'issuerPattern'"));
        String badRegex = doc("[{\"scope\":\"*\",\"identities\":[{\"issuer\":\"a\",\"subjectPattern\":\"(\"}]}]", "");
        assertTrue(assertThrows(IOException.class, () -> parse(badRegex)).getMessage().contains("not a regular expression"));
        String unknown = doc("[]", ",\"sigstore\":{\"fulcio\":[],\"rekor\":[],\"ctlog\":[]}");
        assertThrows(IOException.class, () -> parse(unknown));
        String notACert = doc("[]", ",\"sigstore\":{\"fulcio\":[\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"]}");
        assertThrows(IOException.class, () -> parse(notACert));
    }

    @Test
    void olderDocumentsReadAsBefore() throws Exception {
        TrustDocument d = parse(doc("[{\"scope\":\"*\",\"reject\":true}]", ""));
        assertTrue(d.imageRule("any/thing").orElseThrow().rejects());
        assertEquals(SigstoreRoots.NONE, d.sigstore());
        assertFalse(new String(d.toJson(), StandardCharsets.UTF_8).contains("sigstore"));
        assertEquals(List.of(), d.images().get(0).identities());
    }
}
