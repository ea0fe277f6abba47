package dev.edgeagent.edgectl;

import java.util.Map;

/** A device's status document as a few lines a person can read. */
final class StatusView {
    private StatusView() {}

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> s) {
        StringBuilder sb = new StringBuilder();
        sb.append("device   ").append(s.get("device")).append("  (as of ").append(s.get("time")).append(")\n");
        sb.append("agent    ").append(s.get("agent") instanceof Map<?, ?> m ? m.get("version") : "?")
                .append("  profile ").append(s.get("profile")).append("  platform ").append(s.get("platform")).append('\n');
        if (s.get("agent") instanceof Map<?, ?> a && a.get("lastUpdate") instanceof Map<?, ?> u) {
            sb.append("         last update: ").append(u.get("version")).append(' ').append(u.get("outcome"));
            if (u.get("reason") != null) {
                sb.append(" (").append(u.get("reason")).append(')');
            }
            sb.append(" at ").append(u.get("at")).append('\n');
        }
        sb.append("runtime  ").append(s.get("runtime")).append('\n');
        if (s.get("runtimeChoice") != null) {
            sb.append("         chosen: ").append(s.get("runtimeChoice")).append('\n');
        }
        Map<String, Object> apps = s.get("apps") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        if (apps.isEmpty()) {
            sb.append("apps     none\n");
        }
        for (Map.Entry<String, Object> e : apps.entrySet()) {
            Map<String, Object> app = (Map<String, Object>) e.getValue();
            Map<String, Object> limits = (Map<String, Object>) app.getOrDefault("limits", Map.of());
            Map<String, Object> ids = (Map<String, Object>) app.getOrDefault("idRange", Map.of());
            sb.append("app      ").append(e.getKey()).append("  ").append(app.get("phase"))
                    .append("  generation ").append(app.get("generation")).append("  container ").append(app.get("container")).append('\n');
            sb.append("         image   ").append(app.get("image")).append('\n');
            Map<String, Object> from = (Map<String, Object>) app.getOrDefault("limitsFrom", Map.of());
            sb.append("         limits  memory ").append(limits.get("memoryBytes")).append(" bytes").append(origin(from, "memoryBytes"))
                    .append(", pids ").append(limits.get("pids")).append(origin(from, "pids"))
                    .append(", cpus ").append(limits.get("cpus")).append(origin(from, "cpus"))
                    .append("  ids ").append(ids.get("hostStart")).append("+").append(ids.get("size")).append('\n');
            sb.append("         restart ").append(app.get("restart")).append(", restarts ").append(app.get("restarts"));
            if (app.get("lastExit") instanceof Map<?, ?> exit) {
                sb.append(", last exit: ").append(exit.get("message"));
            }
            sb.append('\n');
            if (app.get("usage") instanceof Map<?, ?> usage) {
                sb.append("         usage   memory ").append(usage.get("memoryBytes")).append(" bytes, pids ").append(usage.get("pids"))
                        .append(", cpu ").append(((Number) usage.get("cpuNanos")).longValue() / 1_000_000).append(" ms\n");
            }
        }
        if (s.get("lastError") instanceof Map<?, ?> err) {
            sb.append("error    [").append(err.get("code")).append("] ").append(err.get("message")).append(" (op ")
                    .append(err.get("op")).append(")\n");
        }
        return sb.toString();
    }

    /** " (profile default)" for a limit the order left to the device profile; nothing for the order's own. */
    private static String origin(Map<String, Object> from, String limit) {
        return "profile".equals(from.get(limit)) ? " (profile default)" : "";
    }
}
