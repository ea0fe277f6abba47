package dev.edgeagent.ota;

import dev.edgeagent.ota.image.Descriptor;

/** Told each time a blob of the pull is verified and stored. */
@FunctionalInterface
public interface PullProgress {
    PullProgress NONE = (blob, done, total, bytesDone, bytesTotal) -> {};

    void blobVerified(Descriptor blob, int done, int total, long bytesDone, long bytesTotal);
}
