package dev.edgeagent.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest in the OCI form {@code sha256:<64 lowercase hex>}. Only sha256 is accepted:
 * it is what every registry serves, and a second algorithm would be a second way to be wrong.
 */
public record Digest(String algorithm, String hex) {
    public static final String SHA256 = "sha256";
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!SHA256.equals(algorithm)) {
            throw new IllegalArgumentException("unsupported digest algorithm '" + algorithm + "' (only sha256)");
        }
        if (hex == null || !HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("a sha256 digest needs 64 lowercase hex characters, got '" + hex + "'");
        }
    }

    /** Parses {@code sha256:<hex>}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static Digest parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("digest is missing");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("digest '" + text + "' has no algorithm prefix (expected sha256:<hex>)");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256Of(byte[] content) {
        return fromMessageDigest(newSha256().digest(content));
    }

    public static Digest fromMessageDigest(byte[] sha256) {
        return new Digest(SHA256, HexFormat.of().formatHex(sha256));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The first 12 hex characters, for log lines and container names. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
