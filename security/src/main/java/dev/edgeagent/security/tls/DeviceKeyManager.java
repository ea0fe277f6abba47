package dev.edgeagent.security.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The device's one client certificate and key, handed to TLS as they are. A KeyManagerFactory wants them in a
 * KeyStore, and the JDK's default (PKCS#12) encrypts every key put into it with PBKDF2 at 10,000 rounds: about
 * 0.2 s of a cold agent's start spent protecting a key that never leaves memory (issue 12).
 */
final class DeviceKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "device";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    DeviceKeyManager(List<X509Certificate> chain, PrivateKey key) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a client certificate chain needs at least one certificate");
        }
        this.chain = chain.toArray(new X509Certificate[0]);
        this.key = key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return matches(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null; // a client's key: never offered as a server's
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    private String chooseFor(String[] keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        for (String type : keyTypes) {
            if (matches(type)) {
                return ALIAS;
            }
        }
        return null;
    }

    /** TLS names key types by algorithm ("EC", "RSA", "RSASSA-PSS", "EdDSA"), sometimes with a suffix after '_'. */
    private boolean matches(String keyType) {
        if (keyType == null) {
            return false;
        }
        String base = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        String algorithm = key.getAlgorithm();
        return base.equalsIgnoreCase(algorithm)
                || ("RSASSA-PSS".equalsIgnoreCase(base) && "RSA".equalsIgnoreCase(algorithm))
                || ("EdDSA".equalsIgnoreCase(base) && ("Ed25519".equalsIgnoreCase(algorithm) || "Ed448".equalsIgnoreCase(algorithm)));
    }
}
