package dev.edgeagent.agent.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgeagent.profiles.AppGrants;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.ResourceRequest;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.security.userns.IdRange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitOriginTest {
    @TempDir
    Path dir;

    @Test
    void aLimitTheOrderLeftOutIsTheProfilesAndTheRecordKeepsSayingSoAcrossARestart() throws Exception {
        AppGrants grants = new AppGrants(java.util.Set.of(), java.util.List.of(), true, java.util.List.of(), false, java.util.Set.of(),
                false, java.util.List.of(), java.util.List.of());
        LimitOrigin origin = LimitOrigin.of(new ResourceRequest(OptionalLong.of(64L << 20), OptionalLong.empty(), OptionalLong.empty()));
        assertEquals(Map.of("memoryBytes", "order", "pids", "profile", "cpus", "profile"), origin.toWire());

        StateStore store = new StateStore(dir);
        AppName app = new AppName("demo");
        store.put(AppRecord.deployed(app, ImageRef.parse("localhost:5000/demo@" + Digest.sha256Of(new byte[] {1})),
                Digest.sha256Of(new byte[] {1}), 1, new ContainerId("demo-1"), new IdRange(1_048_576, 65536),
                new ResourceLimits(64L << 20, 32, 1000), RestartMode.NO, Digest.sha256Of(new byte[] {2}), Instant.now())
                .granted(grants).limitsFrom(origin));

        AppRecord read = new StateStore(dir).app(app).orElseThrow();
        assertEquals(Optional.of(origin), read.limitOrigin());
        assertEquals(Optional.of(grants), read.grants(), "the policy's grants are kept beside the origins");
    }

    @Test
    void aRecordWrittenBeforeOriginsWereKeptSaysNothingRatherThanGuessing() throws Exception {
        StateStore store = new StateStore(dir);
        AppName app = new AppName("old");
        store.put(AppRecord.deployed(app, ImageRef.parse("localhost:5000/old@" + Digest.sha256Of(new byte[] {1})),
                Digest.sha256Of(new byte[] {1}), 1, new ContainerId("old-1"), new IdRange(1_048_576, 65536),
                new ResourceLimits(64L << 20, 32, 1000), RestartMode.NO, Digest.sha256Of(new byte[] {2}), Instant.now()));

        assertEquals(Optional.empty(), new StateStore(dir).app(app).orElseThrow().limitOrigin());
    }
}
