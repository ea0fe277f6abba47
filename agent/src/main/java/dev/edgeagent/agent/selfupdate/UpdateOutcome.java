package dev.edgeagent.agent.selfupdate;

import dev.edgeagent.protocol.AgentVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.tinylog.Logger;

/**
 * What an agent does about its own updates once it has connected and published its status: a release on trial that
 * got this far commits (the trial goes, {@code highest} rises); an agent the launcher rolled back to reports why.
 * Either way it returns the status's {@code agent} summary. Runs at start only when {@code <root>/agent} exists.
 */
public final class UpdateOutcome {
    private UpdateOutcome() {}

    public static Map<String, Object> settle(AgentSlots slots, AgentVersion running, Instant now,
            BiConsumer<String, Map<String, Object>> events) throws IOException {
        Optional<Map<String, String>> trial = slots.read(slots.trial());
        if (trial.isPresent() && running.toString().equals(trial.get().get("version"))) {
            commit(slots, running, trial.get(), now, events);
        } else if (trial.isPresent()) {
            // Not the release on trial (the launcher judges trials before it starts anything): leave it to the launcher.
            Logger.warn("op=agent-update a trial of agent {} is pending, but {} runs; the launcher decides it at the next start",
                    trial.get().get("version"), running);
        }
        Optional<Map<String, String>> last = slots.read(slots.lastUpdate());
        if (last.isPresent() && "0".equals(last.get().get("reported"))) {
            Map<String, String> l = new LinkedHashMap<>(last.get());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("version", l.getOrDefault("version", "?"));
            details.put("reason", l.getOrDefault("reason", "unknown"));
            details.put("running", running.toString());
            Logger.warn("op=agent-update agent {} was rolled back: {}; {} runs", details.get("version"), details.get("reason"), running);
            events.accept("agent.update.rolled-back", details);
            l.put("reported", "1");
            slots.write(slots.lastUpdate(), l);
            last = Optional.of(l);
        }
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("version", running.toString());
        last.ifPresent(l -> {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("version", l.getOrDefault("version", "?"));
            u.put("outcome", l.getOrDefault("outcome", "?"));
            if (l.containsKey("reason")) {
                u.put("reason", l.get("reason"));
            }
            if (l.containsKey("at")) {
                u.put("at", l.get("at"));
            }
            agent.put("lastUpdate", u);
        });
        return agent;
    }

    private static void commit(AgentSlots slots, AgentVersion running, Map<String, String> trial, Instant now,
            BiConsumer<String, Map<String, Object>> events) throws IOException {
        // highest first: a crash after it leaves a trial the launcher may still roll back, never an old release that
        // could be installed again
        dev.edgeagent.security.fs.AtomicFiles.write(slots.highestFile(), (running + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Map<String, String> last = new LinkedHashMap<>();
        last.put("version", running.toString());
        last.put("outcome", "committed");
        last.put("previous", trial.getOrDefault("previous", AgentSlots.PACKAGED));
        last.put("at", now.toString());
        last.put("reported", "1");
        slots.write(slots.lastUpdate(), last);
        Files.deleteIfExists(slots.trial());
        Files.deleteIfExists(slots.dir().resolve("trial-reason")); // a watchdog that fired as this release committed
        dev.edgeagent.security.fs.AtomicFiles.fsyncDirectory(slots.dir());
        removeOthers(slots, running, trial.getOrDefault("previous", AgentSlots.PACKAGED));
        Logger.info("op=agent-update agent {} connected and published its status: committed", running);
        events.accept("agent.update.committed", Map.of("version", running.toString(),
                "previous", trial.getOrDefault("previous", AgentSlots.PACKAGED)));
    }

    /** Releases older than the previous one are never started again: their directories go. */
    private static void removeOthers(AgentSlots slots, AgentVersion running, String previous) throws IOException {
        try (var entries = Files.list(slots.dir())) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && name.matches("[0-9]+\\.[0-9]+\\.[0-9]+")
                        && !name.equals(running.toString()) && !name.equals(previous)) {
                    dev.edgeagent.security.fs.Trees.deleteRecursively(p);
                }
            }
        }
    }
}
