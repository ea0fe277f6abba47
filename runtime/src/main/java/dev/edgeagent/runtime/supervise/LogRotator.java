package dev.edgeagent.runtime.supervise;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps an app's log under a size cap. The container holds the log open in append mode, so the file is copied
 * to {@code .1} (older copies shifted up) and then truncated in place: the app keeps writing, at the new end.
 * Lines written between the copy and the truncation are lost; that is the price of never signalling the app.
 */
public final class LogRotator {
    private final long maxBytes;
    private final int keep;

    public LogRotator(long maxBytes, int keep) {
        if (maxBytes < 1024 || keep < 1) {
            throw new IllegalArgumentException("log cap must be at least 1 KiB and keep at least 1 old file");
        }
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** Rotates when the log is over the cap; returns whether it did. */
    public boolean rotateIfNeeded(Path log) throws IOException {
        if (!Files.isRegularFile(log) || Files.size(log) <= maxBytes) {
            return false;
        }
        Files.deleteIfExists(sibling(log, keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(sibling(log, i))) {
                Files.move(sibling(log, i), sibling(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(log, sibling(log, 1), StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        return true;
    }

    static Path sibling(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }
}
