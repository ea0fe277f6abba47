package dev.edgeagent.agent.trust;

import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.security.sign.TrustFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
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
    private volatile byte[] currentPayload;
    private volatile Consumer<TrustDocument> onAccepted = doc -> { };

    private TrustStore(Path file, TrustDocument current, byte[] bytes) throws IOException {
        this.file = file;
        this.current = current;
        this.currentBytes = bytes;
        this.currentPayload = payloadOf(bytes);
    }

    private static byte[] payloadOf(byte[] envelope) throws IOException {
        try {
            return TrustDocument.envelope(envelope).payload();
        } catch (TrustFailure e) {
            throw new IOException(e.getMessage(), e);
        }
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

    /** Told each newly accepted document, after it is stored and in force (re-checking what runs against it). */
    public void onAccepted(Consumer<TrustDocument> listener) {
        this.onAccepted = listener;
    }

    /**
     * Replaces the document with a signed successor, or refuses it. The document in force arriving again (the
     * retained copy at every reconnect, or the same payload signed by other root keys) is no news and costs no
     * verification; any other document must be a successor, verified against the root keys in force first, so a
     * document is never checked against keys it brings itself before those keys are vouched for.
     */
    public synchronized Outcome rotate(byte[] envelope) throws TrustFailure {
        if (Arrays.equals(envelope, currentBytes)) {
            return Outcome.ALREADY_IN_FORCE;
        }
        if (Arrays.equals(TrustDocument.envelope(envelope).payload(), currentPayload)) {
            return Outcome.ALREADY_IN_FORCE;
        }
        TrustDocument next = current.successor(envelope);
        try {
            AtomicFiles.write(file, envelope);
        } catch (IOException e) {
            throw new TrustFailure(ErrorCode.STORAGE_ERROR, "trust document v" + next.version() + " could not be stored: " + e.getMessage());
        }
        current = next;
        currentBytes = envelope.clone();
        currentPayload = TrustDocument.envelope(envelope).payload();
        try {
            onAccepted.accept(next);
        } catch (RuntimeException e) {
            Logger.error(e, "op=trust checking what runs against trust document v{} failed", next.version());
        }
        return Outcome.ACCEPTED;
    }
}
