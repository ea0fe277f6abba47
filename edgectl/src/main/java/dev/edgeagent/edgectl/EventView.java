package dev.edgeagent.edgectl;

import java.util.List;
import java.util.Map;

/** One event as a line a person reads; pull progress as a bar. Pure. */
final class EventView {
    static final int BAR_WIDTH = 30;

    private EventView() {}

    static String line(Map<String, Object> e) {
        String type = String.valueOf(e.get("type"));
        String who = e.get("app") + (e.get("op") == null ? "" : " (" + e.get("op") + ")");
        if ("pull.progress".equals(type) && e.get("percent") instanceof Number p) {
            return who + "  pull " + bar(p.intValue()) + " " + e.get("blobs") + "/" + e.get("of") + " blobs";
        }
        StringBuilder sb = new StringBuilder(who).append("  ").append(type);
        e.forEach((k, v) -> {
            if (!List.of("time", "device", "op", "app", "type").contains(k)) {
                sb.append(' ').append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }

    static String bar(int percent) {
        int p = Math.max(0, Math.min(100, percent));
        int filled = p * BAR_WIDTH / 100;
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + String.format("%3d%%", p);
    }
}
