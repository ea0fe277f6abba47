package dev.edgeagent.runtime.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** runc never sees what systemd handed the agent (InstallIT shows the hang it caused: "runc start" waiting for the app's READY=1). */
class RuntimeEnvironmentTest {
    @Test
    void systemdsNotifySocketWatchdogAndSocketsStayWithTheAgent() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "600000000",
                "WATCHDOG_PID", "42", "LISTEN_FDS", "1", "LISTEN_PID", "42", "LISTEN_FDNAMES", "x"));
        RuncDriver.withoutSystemdHandoff(env);
        assertEquals(Map.of("PATH", "/usr/bin"), env);
    }

    @Test
    void everyRuntimeProcessIsBuiltThatWay() {
        ProcessBuilder pb = RuncDriver.runtimeProcess(List.of("runc", "--version"));
        RuncDriver.SYSTEMD_HANDOFF.forEach(name -> assertEquals(null, pb.environment().get(name), name));
        assertEquals(List.of("runc", "--version"), pb.command());
    }
}
