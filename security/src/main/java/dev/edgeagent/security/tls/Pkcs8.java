package dev.edgeagent.security.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

/**
 * Private keys in the JDK's only private key encoding, PKCS#8: the older openssl encodings (SEC1 "EC PRIVATE KEY",
 * PKCS#1 "RSA PRIVATE KEY") are wrapped into it with a few bytes of DER rather than parsed by a library.
 */
final class Pkcs8 {
    private static final byte[] ID_EC_PUBLIC_KEY = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
    private static final byte[] RSA_ENCRYPTION_NULL = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};
    private static final String[] ALGORITHMS = {"EC", "RSA", "Ed25519"};

    private Pkcs8() {}

    static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        InvalidKeySpecException last = null;
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (InvalidKeySpecException e) {
                last = e;
            }
        }
        throw new InvalidKeySpecException("the key is not an EC, RSA or Ed25519 PKCS#8 key", last);
    }

    /** SEC1 ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters (the curve's OID), [1] publicKey }. */
    static byte[] fromSec1(byte[] sec1) throws IOException {
        Der outer = Der.at(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IOException("an EC PRIVATE KEY block is not a DER sequence");
        }
        for (int i = outer.start; i < outer.end; ) {
            Der element = Der.at(sec1, i);
            if (element.tag == (byte) 0xA0) {
                Der oid = Der.at(sec1, element.start);
                if (oid.tag != 0x06) {
                    throw new IOException("an EC PRIVATE KEY names its curve by explicit parameters; only named curves are read");
                }
                byte[] curve = Arrays.copyOfRange(sec1, element.start, oid.end);
                return wrap(concat(ID_EC_PUBLIC_KEY, curve), sec1);
            }
            i = element.end;
        }
        throw new IOException("an EC PRIVATE KEY without its curve's name cannot be read");
    }

    static byte[] fromPkcs1(byte[] pkcs1) throws IOException {
        return wrap(RSA_ENCRYPTION_NULL, pkcs1);
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, privateKey OCTET STRING }. */
    private static byte[] wrap(byte[] algorithmIdentifierBody, byte[] key) throws IOException {
        return tlv(0x30, concat(VERSION_0, tlv(0x30, algorithmIdentifierBody), tlv(0x04, key)));
    }

    private static byte[] tlv(int tag, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 6);
        out.write(tag);
        int n = body.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int s = (bytes - 1) * 8; s >= 0; s -= 8) {
                out.write(n >>> s);
            }
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** One DER element: its tag and where its contents start and end in the buffer. */
    private record Der(byte tag, int start, int end) {
        static Der at(byte[] b, int i) throws IOException {
            if (i + 2 > b.length) {
                throw new IOException("truncated DER");
            }
            byte tag = b[i];
            int len = b[i + 1] & 0xFF;
            int start = i + 2;
            if (len >= 0x80) {
                int bytes = len & 0x7F;
                if (bytes == 0 || bytes > 3 || start + bytes > b.length) {
                    throw new IOException("unsupported DER length");
                }
                len = 0;
                for (int k = 0; k < bytes; k++) {
                    len = (len << 8) | (b[start + k] & 0xFF);
                }
                start += bytes;
            }
            if (start + len > b.length) {
                throw new IOException("truncated DER");
            }
            return new Der(tag, start, start + len);
        }
    }
}
