package dev.edgeagent.edgectl;

import java.util.List;
import java.util.Map;

/** A successful reply as a person reads it. */
final class ReplyView {
    private ReplyView() {}

    @SuppressWarnings("unchecked")
    static String render(String command, Map<String, Object> reply) {
        Map<String, Object> result = reply.get("result") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        StringBuilder sb = new StringBuilder();
        switch (command) {
            case "logs" -> ((List<Object>) result.getOrDefault("lines", List.of())).forEach(l -> sb.append(l).append('\n'));
            case "list" -> {
                sb.append(String.format("%-24s %-11s %-4s %-8s %s%n", "APP", "PHASE", "GEN", "RESTARTS", "IMAGE"));
                for (Object o : (List<Object>) result.getOrDefault("apps", List.of())) {
                    Map<String, Object> a = (Map<String, Object>) o;
                    sb.append(String.format("%-24s %-11s %-4s %-8s %s%n", a.get("app"), a.get("phase"), a.get("generation"),
                            a.get("restarts"), a.get("image")));
                }
            }
            case "inspect", "info" -> result.forEach((k, v) -> sb.append(String.format("%-16s %s%n", k, v)));
            case "deploy" -> sb.append("done: ").append(reply.get("message")).append('\n');
            default -> sb.append(reply.get("message")).append('\n');
        }
        return sb.toString();
    }
}
