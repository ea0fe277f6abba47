package dev.edgeagent.agent.trust;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.tinylog.Logger;

/**
 * The trust document in force ({@code trust/trust.json}, the signed envelope as received). At start the provisioned
 * file and the stored one are both checked and the newer wins; afterwards only a rotation signed by the root keys
 * replaces it, written to disk before it takes effect.
 */
public final class TrustStore {
    /** What a rotation did. */
    public enum Outcome { ACCEPTED, ALREADY_IN_FORCE }

    private final Path file;
    private volatile TrustDocument current;
    private volatile byte[] currentBytes;

    private TrustStore(Path file, TrustDocument current, byte[] bytes) {
        this.file = file;
        this.current = current;
        this.currentBytes = bytes;
    }

    public static TrustStore open(Path trustDir, Path provisioned) throws IOException {
        Path file = trustDir.resolve("trust.json");
        byte[] given = read(provisioned);
        TrustDocument fromConfig = check(given, provisioned);
        if (Files.exists(file)) {
            byte[] stored = Files.readAllBytes(file);
            TrustDocument kept = check(stored, file);
            if (kept.version() >= fromConfig.version()) {
                return new TrustStore(file, kept, stored);
            }
            Logger.info("provisioned trust document v{} replaces stored v{}", fromConfig.version(), kept.version());
        }
        AtomicFiles.write(file, given);
        return new TrustStore(file, fromConfig, given);
    }

    private static byte[] read(Path p) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IOException("trust document " + p + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static TrustDocument check(byte[] bytes, Path from) throws IOException {
        try {
            return TrustDocument.selfSigned(bytes);
        } catch (TrustFailure e) {
            throw new IOException("trust document " + from + " is not usable: " + e.getMessage() + " (" + e.code() + ")");
        }
    }

    public TrustDocument current() {
        return current;
    }

    /** Replaces the document with a signed successor, or refuses it; the retained copy arriving again is no news. */
    public synchronized Outcome rotate(byte[] envelope) throws TrustFailure {
        if (Arrays.equals(envelope, currentBytes)) {
            return Outcome.ALREADY_IN_FORCE;
        }
        TrustDocument next;
        try {
            next = current.successor(envelope);
        } catch (TrustFailure e) {
            if (e.code() == ErrorCode.REPLAYED && sameVersion(envelope)) {
                return Outcome.ALREADY_IN_FORCE; // the same version, signed again by other root keys
            }
            throw e;
        }
        try {
            AtomicFiles.write(file, envelope);
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.STORAGE_ERROR, "trust document v" + next.version() + " could not be stored: " + e.getMessage());
        }
        current = next;
        currentBytes = envelope.clone();
        return Outcome.ACCEPTED;
    }

    private boolean sameVersion(byte[] envelope) {
        try {
            return TrustDocument.selfSigned(envelope).version() == current.version();
        } catch (TrustFailure e) {
            return false;
        }
    }
}
