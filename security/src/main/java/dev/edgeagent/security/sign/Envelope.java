package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DSSE envelope ({@code {"payloadType", "payload": base64, "signatures": [{"keyid", "sig": base64}]}}); each
 * signature covers the pre-authentication encoding of type and payload, so a signature over one type of document
 * can never be passed off as another.
 */
public record Envelope(String payloadType, byte[] payload, List<Signature> signatures) {
    public record Signature(String keyid, byte[] sig) {
        public Signature {
            if (keyid == null || sig == null || sig.length == 0) {
                throw new IllegalArgumentException("a signature needs a keyid and signature bytes");
            }
            sig = sig.clone();
        }
    }

    public Envelope {
        if (payloadType == null || payloadType.isBlank()) {
            throw new IllegalArgumentException("payloadType is missing");
        }
        payload = payload.clone();
        signatures = List.copyOf(signatures);
    }

    /** DSSEv1 PAE: {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}, lengths in decimal bytes. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    /** An envelope signed by each of {@code keys}. */
    public static Envelope sign(String payloadType, byte[] payload, List<SigningKey> keys) {
        byte[] pae = pae(payloadType, payload);
        List<Signature> sigs = new ArrayList<>();
        for (SigningKey k : keys) {
            sigs.add(new Signature(k.id().value(), k.sign(pae)));
        }
        return new Envelope(payloadType, payload, sigs);
    }

    /** The same payload with {@code key}'s signature added (a second root key signing a rotation). */
    public Envelope cosignedBy(SigningKey key) {
        List<Signature> sigs = new ArrayList<>(signatures);
        sigs.removeIf(s -> s.keyid().equals(key.id().value()));
        sigs.add(new Signature(key.id().value(), key.sign(pae(payloadType, payload))));
        return new Envelope(payloadType, payload, sigs);
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("payloadType", payloadType);
        m.put("payload", Base64.getEncoder().encodeToString(payload));
        List<Object> sigs = new ArrayList<>();
        for (Signature s : signatures) {
            sigs.add(Map.of("keyid", s.keyid(), "sig", Base64.getEncoder().encodeToString(s.sig())));
        }
        m.put("signatures", sigs);
        return Json.compact(m);
    }

    /** Reads an envelope; anything else (a bare order, say) is refused with a sentence saying what was expected. */
    public static Envelope parse(byte[] json) throws IOException {
        Map<String, Object> root;
        try {
            root = Json.object(json);
        } catch (IOException | RuntimeException e) {
            throw new IOException("not a JSON object");
        }
        if (!root.containsKey("payloadType") || !root.containsKey("signatures")) {
            throw new IOException("not a DSSE envelope (payloadType, payload, signatures)");
        }
        try {
            Fields f = new Fields(root, "");
            f.refuseUnknown(List.of("payloadType", "payload", "signatures"));
            List<Signature> sigs = new ArrayList<>();
            for (Fields s : f.optionalObjects("signatures")) {
                s.refuseUnknown(List.of("keyid", "sig"));
                sigs.add(new Signature(s.optionalString("keyid").orElse(""), Base64.getDecoder().decode(s.requireString("sig"))));
            }
            return new Envelope(f.requireString("payloadType"), Base64.getDecoder().decode(f.requireString("payload")), sigs);
        } catch (Fields.WireException | IllegalArgumentException e) {
            throw new IOException("malformed DSSE envelope: " + e.getMessage(), e);
        }
    }
}
