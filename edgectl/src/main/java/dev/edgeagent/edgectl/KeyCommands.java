package dev.edgeagent.edgectl;

import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.KeyKind;
import dev.edgeagent.security.sign.KeyPem;
import dev.edgeagent.security.sign.SigningKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code edgectl keygen}: a key pair, the private half encrypted at rest (PKCS#8, AES-256, PBKDF2) and readable by the owner only. */
final class KeyCommands {
    private KeyCommands() {}

    static int keygen(Args a, PrintStream out) throws Args.UsageError {
        Path prefix = Path.of(a.require("--out"));
        KeyKind kind = KeyKind.fromCliName(a.get("--type").orElse("ecdsa-p256"));
        char[] password = OperatorKey.password(a);
        if (password == null || password.length < 8) {
            throw new Args.UsageError("keygen encrypts the private key: give a password of 8 or more characters in "
                    + "$EDGE_KEY_PASSWORD or --password-file");
        }
        Path priv = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        if (Files.exists(priv) || Files.exists(pub)) {
            throw new Args.UsageError(priv + " or " + pub + " exists already; keygen never overwrites a key");
        }
        SigningKey key = SigningKey.generate(kind);
        try {
            AtomicFiles.writePrivate(priv, KeyPem.encryptedPrivatePem(key, password).getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(pub, key.publicKey().pem().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Args.UsageError("cannot write the key files: " + e.getMessage());
        }
        out.println(kind.cliName() + " key " + key.id());
        out.println("  private (encrypted): " + priv);
        out.println("  public:              " + pub);
        return Main.OK;
    }
}
