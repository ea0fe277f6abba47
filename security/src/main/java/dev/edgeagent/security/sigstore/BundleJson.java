package dev.edgeagent.security.sigstore;

import dev.edgeagent.protocol.wire.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads a Sigstore bundle from its protobuf-JSON form (camelCase fields, bytes in base64, int64 as strings). */
public final class BundleJson {
    /** A bundle with a few certificates and log entries is a few KiB; this bounds what is parsed. */
    public static final int MAX_BYTES = 256 * 1024;
    static final int MAX_ENTRIES = 8;

    private BundleJson() {}

    public static SigstoreBundle parse(byte[] json) throws IOException {
        if (json.length > MAX_BYTES) {
            throw new IOException("the bundle is " + json.length + " bytes; the limit is " + MAX_BYTES);
        }
        try {
            Map<String, Object> root = Json.object(json);
            String mediaType = string(root, "mediaType");
            SigstoreBundle.Version version = SigstoreBundle.Version.of(mediaType)
                    .orElseThrow(() -> new IOException("bundle media type '" + mediaType + "' is not v0.1, v0.2 or v0.3"));
            Map<String, Object> material = object(root, "verificationMaterial");
            Optional<String> hint = Optional.empty();
            List<X509Certificate> certs = new ArrayList<>();
            if (material.get("publicKey") instanceof Map<?, ?> pk) {
                hint = Optional.of(pk.get("hint") instanceof String h ? h : "");
            } else if (material.get("x509CertificateChain") instanceof Map<?, ?> chain) {
                for (Object c : list(cast(chain), "certificates")) {
                    certs.add(certificate(string(cast(c), "rawBytes")));
                }
            } else if (material.get("certificate") instanceof Map<?, ?> c) {
                if (version != SigstoreBundle.Version.V0_3) {
                    throw new IOException("a single 'certificate' is a v0.3 field; this bundle says " + mediaType);
                }
                certs.add(certificate(string(cast(c), "rawBytes")));
            } else {
                throw new IOException("verificationMaterial has no publicKey, certificate or x509CertificateChain");
            }
            List<SigstoreBundle.TlogEntry> entries = new ArrayList<>();
            Object tlog = material.get("tlogEntries");
            if (tlog instanceof List<?> l) {
                if (l.size() > MAX_ENTRIES) {
                    throw new IOException("the bundle has " + l.size() + " log entries; at most " + MAX_ENTRIES + " are read");
                }
                for (Object e : l) {
                    entries.add(entry(cast(e)));
                }
            }
            Optional<SigstoreBundle.Dsse> dsse = Optional.empty();
            Optional<SigstoreBundle.MessageSignature> message = Optional.empty();
            if (root.get("dsseEnvelope") instanceof Map<?, ?> env) {
                List<Object> sigs = list(cast(env), "signatures");
                if (sigs.size() != 1) {
                    throw new IOException("the DSSE envelope has " + sigs.size() + " signatures; a bundle carries exactly one");
                }
                dsse = Optional.of(new SigstoreBundle.Dsse(string(cast(env), "payloadType"), b64(string(cast(env), "payload")),
                        b64(string(cast(sigs.get(0)), "sig"))));
            } else if (root.get("messageSignature") instanceof Map<?, ?> ms) {
                Map<String, Object> digest = object(cast(ms), "messageDigest");
                if (!"SHA2_256".equals(digest.get("algorithm"))) {
                    throw new IOException("message digest algorithm '" + digest.get("algorithm") + "' is not SHA2_256");
                }
                message = Optional.of(new SigstoreBundle.MessageSignature(b64(string(digest, "digest")), b64(string(cast(ms), "signature"))));
            } else {
                throw new IOException("the bundle has neither a dsseEnvelope nor a messageSignature");
            }
            return new SigstoreBundle(version, hint, certs, entries, dsse, message);
        } catch (ClassCastException | IllegalArgumentException e) {
            throw new IOException("the bundle is malformed: " + e.getMessage(), e);
        }
    }

    private static SigstoreBundle.TlogEntry entry(Map<String, Object> e) throws IOException {
        Optional<byte[]> set = Optional.empty();
        if (e.get("inclusionPromise") instanceof Map<?, ?> p) {
            set = Optional.of(b64(string(cast(p), "signedEntryTimestamp")));
        }
        Optional<SigstoreBundle.InclusionProof> proof = Optional.empty();
        if (e.get("inclusionProof") instanceof Map<?, ?> raw) {
            Map<String, Object> p = cast(raw);
            List<byte[]> hashes = new ArrayList<>();
            Object hs = p.get("hashes");
            if (hs instanceof List<?> l) {
                for (Object h : l) {
                    hashes.add(b64((String) h));
                }
            }
            String checkpoint = p.get("checkpoint") instanceof Map<?, ?> c && c.get("envelope") instanceof String s ? s : "";
            proof = Optional.of(new SigstoreBundle.InclusionProof(number(p, "logIndex"), number(p, "treeSize"),
                    b64(string(p, "rootHash")), hashes, checkpoint));
        }
        Map<String, Object> kind = e.get("kindVersion") instanceof Map<?, ?> k ? cast(k) : Map.of();
        return new SigstoreBundle.TlogEntry(number(e, "logIndex"), b64(string(object(e, "logId"), "keyId")),
                kind.get("kind") instanceof String s ? s : "", number(e, "integratedTime"), b64(string(e, "canonicalizedBody")),
                set, proof);
    }

    static X509Certificate certificate(String base64Der) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(b64(base64Der)));
        } catch (CertificateException e) {
            throw new IOException("a certificate in the bundle is unreadable: " + e.getMessage(), e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static byte[] b64(String s) {
        return Base64.getDecoder().decode(s);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> object(Map<String, Object> m, String key) throws IOException {
        if (m.get(key) instanceof Map<?, ?> o) {
            return cast(o);
        }
        throw new IOException("'" + key + "' is missing from the bundle");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> m, String key) throws IOException {
        if (m.get(key) instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IOException("'" + key + "' is missing from the bundle");
    }

    private static String string(Map<String, Object> m, String key) throws IOException {
        if (m.get(key) instanceof String s) {
            return s;
        }
        throw new IOException("'" + key + "' is missing from the bundle");
    }

    /** protobuf-JSON writes int64 as a string; a plain number is taken too. An absent one is 0 (its default). */
    private static long number(Map<String, Object> m, String key) throws IOException {
        Object v = m.get(key);
        if (v == null) {
            return 0;
        }
        try {
            return v instanceof Number n ? n.longValue() : Long.parseLong((String) v);
        } catch (RuntimeException e) {
            throw new IOException("'" + key + "' is not a number: " + v);
        }
    }
}
