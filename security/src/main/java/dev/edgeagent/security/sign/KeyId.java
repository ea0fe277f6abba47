package dev.edgeagent.security.sign;

import dev.edgeagent.protocol.Digest;
import java.security.PublicKey;

/** A key's name on the wire: the hex SHA-256 of its SubjectPublicKeyInfo (DER), so no one can choose it. */
public record KeyId(String value) implements Comparable<KeyId> {
    public KeyId {
        if (value == null || !value.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a key id is 64 lowercase hex characters (SHA-256 of the public key), got '" + value + "'");
        }
    }

    public static KeyId of(PublicKey key) {
        return new KeyId(Digest.sha256Of(key.getEncoded()).hex());
    }

    /** The first 12 characters, enough for people to tell keys apart in messages. */
    public String shortForm() {
        return value.substring(0, 12);
    }

    @Override
    public int compareTo(KeyId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
