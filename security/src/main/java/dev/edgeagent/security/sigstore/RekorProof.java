package dev.edgeagent.security.sigstore;

import dev.edgeagent.security.sign.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a Rekor entry offline against the pinned log keys: its signed entry timestamp (the log's signature over
 * the canonical JSON of body, integratedTime, logID and logIndex) and, where present, its RFC 6962 inclusion proof
 * up to a checkpoint (a signed note) that the same log key signed. What it proves is the entry's integrated time.
 */
public final class RekorProof {
    private RekorProof() {}

    /** Why a log entry proves nothing. */
    public static final class ProofFailure extends Exception {
        public ProofFailure(String message) {
            super(message);
        }
    }

    /** The time the log proves the entry was integrated at, once its SET (required) and any inclusion proof check out. */
    public static Instant verify(SigstoreBundle.TlogEntry entry, List<VerificationKey> logKeys) throws ProofFailure {
        VerificationKey key = logKeys.stream().filter(k -> Arrays.equals(HexFormat.of().parseHex(k.id().value()), entry.logKeyId()))
                .findFirst().orElseThrow(() -> new ProofFailure("the entry names log " + BundleJson.hex(entry.logKeyId()).substring(0, 12)
                        + ", which is not a pinned Rekor key (" + logKeys.stream().map(k -> k.id().shortForm()).toList() + ")"));
        if (entry.signedEntryTimestamp().isEmpty()) {
            throw new ProofFailure("the entry has no signed entry timestamp (inclusion promise)");
        }
        if (!key.verifies(setPayload(entry), entry.signedEntryTimestamp().get())) {
            throw new ProofFailure("the signed entry timestamp of log index " + entry.logIndex() + " does not verify against Rekor key "
                    + key.id().shortForm() + " (entry altered or forged)");
        }
        if (entry.inclusionProof().isPresent()) {
            inclusion(entry, entry.inclusionProof().get(), key);
        }
        return Instant.ofEpochSecond(entry.integratedTime());
    }

    /** The bytes a SET signs: canonical JSON (RFC 8785: sorted keys, no spaces) of the four entry fields. */
    static byte[] setPayload(SigstoreBundle.TlogEntry e) {
        String json = "{\"body\":\"" + Base64.getEncoder().encodeToString(e.canonicalizedBody()) + "\",\"integratedTime\":"
                + e.integratedTime() + ",\"logID\":\"" + BundleJson.hex(e.logKeyId()) + "\",\"logIndex\":" + e.logIndex() + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static void inclusion(SigstoreBundle.TlogEntry entry, SigstoreBundle.InclusionProof p, VerificationKey key)
            throws ProofFailure {
        byte[] leaf = sha256(new byte[] {0}, entry.canonicalizedBody());
        byte[] root = rootFromProof(p.logIndex(), p.treeSize(), leaf, p.hashes());
        if (!MessageDigest.isEqual(root, p.rootHash())) {
            throw new ProofFailure("the inclusion proof of log index " + entry.logIndex() + " leads to another root hash than it names");
        }
        checkpoint(p, key);
    }

    /** RFC 9162 section 2.1.3.2: the root hash that an audit path for leaf {@code index} of {@code size} implies. */
    static byte[] rootFromProof(long index, long size, byte[] leaf, List<byte[]> path) throws ProofFailure {
        if (index < 0 || index >= size) {
            throw new ProofFailure("inclusion proof index " + index + " is outside a tree of " + size);
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leaf;
        for (byte[] p : path) {
            if (sn == 0) {
                throw new ProofFailure("the inclusion proof is longer than its tree allows");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = sha256(new byte[] {1}, p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = sha256(new byte[] {1}, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new ProofFailure("the inclusion proof is shorter than its tree needs");
        }
        return r;
    }

    /** A signed note: origin, tree size, base64 root hash, other lines; a blank line; "— name base64(keyhint4 || sig)". */
    private static void checkpoint(SigstoreBundle.InclusionProof p, VerificationKey key) throws ProofFailure {
        int split = p.checkpoint().indexOf("\n\n");
        if (split < 0) {
            throw new ProofFailure("the inclusion proof has no signed checkpoint");
        }
        String text = p.checkpoint().substring(0, split + 1);
        String[] lines = text.split("\n");
        if (lines.length < 3 || !lines[1].equals(Long.toString(p.treeSize()))
                || !MessageDigest.isEqual(decode(lines[2]), p.rootHash())) {
            throw new ProofFailure("the checkpoint does not commit to the proof's tree size and root hash");
        }
        for (String line : p.checkpoint().substring(split + 2).split("\n")) {
            if (!line.startsWith("\u2014 ")) {
                continue;
            }
            String[] parts = line.split(" ");
            byte[] sig = decode(parts[parts.length - 1]);
            if (sig.length > 4 && key.verifies(text.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(sig, 4, sig.length))) {
                return;
            }
        }
        throw new ProofFailure("the checkpoint is not signed by Rekor key " + key.id().shortForm());
    }

    private static byte[] decode(String b64) throws ProofFailure {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new ProofFailure("the checkpoint holds malformed base64");
        }
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
