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
    /** The largest envelope read where the caller names no smaller limit: 16 default-size orders (a desired state). */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    /** More signatures than any role here needs; an envelope with more is refused before anything is verified. */
    public static final int MAX_SIGNATURES = 16;

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
        return parse(json, DEFAULT_MAX_BYTES);
    }

    /** Reads an envelope of at most {@code maxBytes}, checked before any parsing. */
    public static Envelope parse(byte[] json, int maxBytes) throws IOException {
        if (json.length > maxBytes) {
            throw new IOException("an envelope of " + json.length + " bytes; the limit is " + maxBytes);
        }
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
            List<Fields> listed = f.optionalObjects("signatures");
            if (listed.size() > MAX_SIGNATURES) {
                throw new Fields.WireException("it carries " + listed.size() + " signatures; at most " + MAX_SIGNATURES + " are read");
            }
            for (Fields s : listed) {
                s.refuseUnknown(List.of("keyid", "sig"));
                sigs.add(new Signature(s.optionalString("keyid").orElse(""), Base64.getDecoder().decode(s.requireString("sig"))));
            }
            return new Envelope(f.requireString("payloadType"), Base64.getDecoder().decode(f.requireString("payload")), sigs);
        } catch (Fields.WireException | IllegalArgumentException e) {
            throw new IOException("malformed DSSE envelope: " + e.getMessage(), e);
        }
    }
}
