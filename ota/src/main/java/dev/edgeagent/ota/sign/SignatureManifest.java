package dev.edgeagent.ota.sign;

import dev.edgeagent.ota.image.Descriptor;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.security.sign.CosignSignatures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OCI manifest cosign stores at {@code sha256-<hex>.sig}: one simple-signing layer per signature. */
record SignatureManifest(List<Layer> layers) {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

    /** One signature layer: the payload's descriptor and the base64 signature from its annotation. */
    record Layer(Descriptor payload, String signatureBase64) {
        byte[] signature() {
            return Base64.getDecoder().decode(signatureBase64);
        }
    }

    SignatureManifest {
        layers = List.copyOf(layers);
    }

    /** The signature layers of a manifest; layers of other types are passed over, as cosign does. */
    @SuppressWarnings("unchecked")
    static SignatureManifest parse(byte[] bytes) throws IOException {
        Map<String, Object> root = Json.object(bytes);
        List<Layer> out = new ArrayList<>();
        Object layers = root.get("layers");
        if (!(layers instanceof List<?> list)) {
            throw new IOException("signature manifest has no layers");
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !CosignSignatures.PAYLOAD_MEDIA_TYPE.equals(m.get("mediaType"))) {
                continue;
            }
            Object annotations = m.get("annotations");
            Object sig = annotations instanceof Map<?, ?> a ? a.get(CosignSignatures.SIGNATURE_ANNOTATION) : null;
            if (!(sig instanceof String s) || !(m.get("digest") instanceof String d) || !(m.get("size") instanceof Number n)) {
                continue;
            }
            try {
                Base64.getDecoder().decode(s);
                out.add(new Layer(new Descriptor(CosignSignatures.PAYLOAD_MEDIA_TYPE, Digest.parse(d), n.longValue()), s));
            } catch (IllegalArgumentException e) {
                // a malformed layer is no signature; the others may still be
            }
        }
        return new SignatureManifest(out);
    }

    /** The manifest bytes with {@code config} as config and these layers, as cosign writes it. */
    byte[] toJson(Descriptor config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", OCI_MANIFEST);
        m.put("config", descriptor(config, null));
        List<Object> ls = new ArrayList<>();
        for (Layer l : layers) {
            ls.add(descriptor(l.payload(), Map.of(CosignSignatures.SIGNATURE_ANNOTATION, l.signatureBase64())));
        }
        m.put("layers", ls);
        return Json.compact(m);
    }

    private static Map<String, Object> descriptor(Descriptor d, Map<String, String> annotations) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", d.mediaType());
        m.put("size", d.size());
        m.put("digest", d.digest().toString());
        if (annotations != null) {
            m.put("annotations", annotations);
        }
        return m;
    }
}
