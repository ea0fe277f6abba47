package dev.edgeagent.protocol;

import java.util.List;
import java.util.Map;

/** The command names (the last level of edge/{device}/cmd/{name}) and which fields each order takes. */
public final class Commands {
    public static final String DEPLOY = "deploy";
    public static final String START = "start";
    public static final String STOP = "stop";
    public static final String RESTART = "restart";
    public static final String REMOVE = "remove";
    public static final String LIST = "list";
    public static final String INSPECT = "inspect";
    public static final String LOGS = "logs";
    public static final String PING = "ping";
    public static final String INFO = "info";
    /** The device's audit trail: {@code {id, since?, limit?}}; read-only, decoded by the agent itself. */
    public static final String AUDIT = "audit";
    /** Install a signed agent release and restart into it (docs/self-update.md); its fields are its own. */
    public static final String UPDATE_AGENT = "update-agent";

    /** Fields each non-deploy command accepts; "app" is required where listed. */
    public static final Map<String, List<String>> FIELDS = Map.of(
            START, List.of("id", "app"), STOP, List.of("id", "app"), RESTART, List.of("id", "app"),
            REMOVE, List.of("id", "app", "purge"), INSPECT, List.of("id", "app"), LOGS, List.of("id", "app", "tail"),
            LIST, List.of("id"), PING, List.of("id"), INFO, List.of("id"));

    public static final List<String> ALL = List.of(DEPLOY, START, STOP, RESTART, REMOVE, LIST, INSPECT, LOGS, PING, INFO, AUDIT,
            UPDATE_AGENT);

    /** Commands that change nothing, answered even while an operation runs. */
    public static final List<String> READ_ONLY = List.of(LIST, INSPECT, LOGS, PING, INFO, AUDIT);

    private Commands() {}
}
