package dev.edgeagent.agent;

import dev.edgeagent.protocol.AgentVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The version of the agent code running now, read from the jar itself ({@code dev/edgeagent/agent/version}): the
 * jar is what an agent release ships, so status reports what truly runs, whichever directory it was started from.
 */
public final class RunningVersion {
    private static final AgentVersion VERSION = read();

    private RunningVersion() {}

    public static AgentVersion get() {
        return VERSION;
    }

    private static AgentVersion read() {
        try (InputStream in = RunningVersion.class.getResourceAsStream("version")) {
            if (in == null) {
                throw new IllegalStateException("the agent's jar has no dev/edgeagent/agent/version");
            }
            return AgentVersion.parse(new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new IllegalStateException("the agent's version marker is unreadable: " + e.getMessage(), e);
        }
    }
}
