package dev.edgeagent.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.testkit.NotifyListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify against a real AF_UNIX datagram socket the test binds, as systemd would. */
class SdNotifyTest {
    @Test
    void sendsToAnAbstractSocket() {
        String name = "@edgeagent-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifyListener systemd = NotifyListener.bind(name)) {
            SdNotify notify = SdNotify.of(Map.of("NOTIFY_SOCKET", name));
            assertTrue(notify.enabled());
            assertTrue(notify.send("READY=1\nSTATUS=connected"));
            assertEquals(Optional.of("READY=1\nSTATUS=connected"), systemd.next(5));
            assertTrue(notify.send("WATCHDOG=1"));
            assertEquals(Optional.of("WATCHDOG=1"), systemd.next(5));
        }
    }

    @Test
    void sendsToASocketPath(@TempDir Path dir) {
        Path socket = dir.resolve("notify");
        try (NotifyListener systemd = NotifyListener.bind(socket.toString())) {
            assertTrue(Files.exists(socket));
            assertTrue(SdNotify.of(Map.of("NOTIFY_SOCKET", socket.toString())).send("READY=1"));
            assertEquals(Optional.of("READY=1"), systemd.next(5));
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        SdNotify notify = SdNotify.of(Map.of());
        assertFalse(notify.enabled());
        assertFalse(notify.send("READY=1"));
    }

    @Test
    void aSocketNobodyListensOnIsAFailedSendNotACrash() {
        assertFalse(SdNotify.of(Map.of("NOTIFY_SOCKET", "@edgeagent-nobody-" + System.nanoTime())).send("READY=1"));
    }

    @Test
    void aRelativeOrOverlongNameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SdNotify.sockaddr("relative/notify"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.sockaddr("/" + "x".repeat(SdNotify.SUN_PATH_MAX)));
    }

    @Test
    void watchdogIntervalIsHalfOfWatchdogUsecForThisProcess() {
        assertEquals(Optional.of(Duration.ofSeconds(15)), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000"), 42));
        assertEquals(Optional.of(Duration.ofSeconds(15)), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of(), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42));
    }
}
