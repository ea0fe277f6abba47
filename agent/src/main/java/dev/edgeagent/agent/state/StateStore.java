package dev.edgeagent.agent.state;

import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.supervise.ExitStatus;
import dev.edgeagent.protocol.Digest;
import dev.edgeagent.protocol.ImageRef;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.security.userns.IdRangeAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The agent's memory on disk: {@code state/apps.json} (what runs) and {@code state/idranges.json} (which host ids
 * belong to which app). Every write is atomic; a crash leaves the previous file or the new one.
 */
public final class StateStore {
    private final Path appsFile;
    private final Path rangesFile;
    private final Map<AppName, AppRecord> apps = new TreeMap<>(java.util.Comparator.comparing(AppName::value));
    private final Map<AppName, IdRange> ranges = new TreeMap<>(java.util.Comparator.comparing(AppName::value));
    /**
     * Which order removed each app whose record is gone and that was not deployed again since: when the agent dies
     * between forgetting the app and recording its reply, that same order, delivered again, finishes the remove.
     */
    private final Map<AppName, OperationId> removedBy = new TreeMap<>(java.util.Comparator.comparing(AppName::value));

    public StateStore(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        this.appsFile = stateDir.resolve("apps.json");
        this.rangesFile = stateDir.resolve("idranges.json");
        load();
    }

    public synchronized List<AppRecord> apps() {
        return List.copyOf(apps.values());
    }

    public synchronized Optional<AppRecord> app(AppName name) {
        return Optional.ofNullable(apps.get(name));
    }

    public synchronized void put(AppRecord record) throws IOException {
        AppRecord previous = apps.put(record.name(), record);
        OperationId remover = removedBy.remove(record.name());
        try {
            saveApps();
        } catch (IOException e) {
            if (previous == null) {
                apps.remove(record.name());
            } else {
                apps.put(previous.name(), previous);
            }
            if (remover != null) {
                removedBy.put(record.name(), remover);
            }
            throw e;
        }
    }

    /**
     * Forgets an app, noting that order {@code by} removed it (see {@link #removedBy}); its id range stays allocated
     * to its name, so a later deploy gets the same ids back.
     */
    public synchronized void remove(AppName name, OperationId by) throws IOException {
        AppRecord previous = apps.remove(name);
        if (previous == null) {
            return;
        }
        OperationId before = removedBy.put(name, by);
        try {
            saveApps();
        } catch (IOException e) {
            apps.put(name, previous);
            if (before == null) {
                removedBy.remove(name);
            } else {
                removedBy.put(name, before);
            }
            throw e;
        }
    }

    /** The order that removed {@code name}, if its record is gone and it was not deployed again since. */
    public synchronized Optional<OperationId> removedBy(AppName name) {
        return apps.containsKey(name) ? Optional.empty() : Optional.ofNullable(removedBy.get(name));
    }

    /** The app's id range, allocated and persisted on first use; an app keeps its range for good. */
    public synchronized IdRange idRange(AppName name) throws IOException {
        return idRange(name, List.of());
    }

    /** As {@link #idRange(AppName)}; a new range also stays clear of {@code reserved} (the host's subuid/subgid entries). */
    public synchronized IdRange idRange(AppName name, java.util.Collection<IdRange> reserved) throws IOException {
        IdRange existing = ranges.get(name);
        if (existing != null) {
            return existing;
        }
        IdRange fresh = IdRangeAllocator.next(ranges.values(), reserved);
        ranges.put(name, fresh);
        try {
            saveRanges();
        } catch (IOException e) {
            ranges.remove(name);
            throw e;
        }
        return fresh;
    }

    /** Every app's id range, removed apps' included: what the host's subuid/subgid entries must stay clear of. */
    public synchronized Map<AppName, IdRange> idRanges() {
        return Map.copyOf(ranges);
    }

    private void saveApps() throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (AppRecord r : apps.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", r.image().toString());
            m.put("manifestDigest", r.manifestDigest().toString());
            m.put("generation", r.generation());
            m.put("container", r.container().value());
            m.put("idRangeStart", r.ids().hostStart());
            m.put("idRangeSize", r.ids().size());
            m.put("memoryBytes", r.limits().memoryBytes());
            m.put("pids", r.limits().pids());
            m.put("cpuMillis", r.limits().cpuMillis());
            m.put("restart", r.restart().wire());
            m.put("request", r.request().toString());
            m.put("phase", r.phase().name());
            m.put("since", r.since().toString());
            m.put("restarts", r.restarts());
            m.put("consecutiveFailures", r.consecutiveFailures());
            r.lastExit().ifPresent(e -> m.put("lastExit", exitToJson(e)));
            if (!r.signers().isEmpty()) {
                m.put("signers", r.signers().stream().map(KeyId::value).sorted().toList());
            }
            r.grants().ifPresent(g -> m.put("grants", g.toMap()));
            r.limitOrigin().ifPresent(o -> m.put("limitsFrom", o.toWire()));
            out.put(r.name().value(), m);
        }
        Map<String, Object> file = new LinkedHashMap<>(Map.of("version", 1, "apps", out));
        if (!removedBy.isEmpty()) {
            Map<String, Object> removed = new LinkedHashMap<>();
            removedBy.forEach((app, op) -> removed.put(app.value(), op.value()));
            file.put("removedBy", removed);
        }
        AtomicFiles.write(appsFile, Json.pretty(file));
    }

    private void saveRanges() throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<AppName, IdRange> e : ranges.entrySet()) {
            out.put(e.getKey().value(), Map.of("hostStart", e.getValue().hostStart(), "size", e.getValue().size()));
        }
        AtomicFiles.write(rangesFile, Json.pretty(Map.of("version", 1, "ranges", out)));
    }

    @SuppressWarnings("unchecked")
    private void load() throws IOException {
        try {
            if (Files.exists(rangesFile)) {
                Map<String, Object> root = Json.object(Files.readAllBytes(rangesFile));
                for (Map.Entry<String, Object> e : ((Map<String, Object>) root.get("ranges")).entrySet()) {
                    Map<String, Object> m = (Map<String, Object>) e.getValue();
                    ranges.put(new AppName(e.getKey()), new IdRange(num(m, "hostStart"), num(m, "size")));
                }
            }
            if (Files.exists(appsFile)) {
                Map<String, Object> root = Json.object(Files.readAllBytes(appsFile));
                for (Map.Entry<String, Object> e : ((Map<String, Object>) root.getOrDefault("removedBy", Map.of())).entrySet()) {
                    removedBy.put(new AppName(e.getKey()), new OperationId((String) e.getValue()));
                }
                for (Map.Entry<String, Object> e : ((Map<String, Object>) root.get("apps")).entrySet()) {
                    Map<String, Object> m = (Map<String, Object>) e.getValue();
                    AppName name = new AppName(e.getKey());
                    apps.put(name, new AppRecord(name, ImageRef.parse((String) m.get("image")),
                            Digest.parse((String) m.get("manifestDigest")), num(m, "generation"),
                            new ContainerId((String) m.get("container")),
                            new IdRange(num(m, "idRangeStart"), num(m, "idRangeSize")),
                            new ResourceLimits(num(m, "memoryBytes"), num(m, "pids"), num(m, "cpuMillis")),
                            RestartMode.parse((String) m.getOrDefault("restart", "on-failure")),
                            Digest.parse((String) m.get("request")),
                            AppPhase.valueOf((String) m.get("phase")), Instant.parse((String) m.get("since")),
                            (int) numOr(m, "restarts", 0), (int) numOr(m, "consecutiveFailures", 0),
                            Optional.ofNullable((Map<String, Object>) m.get("lastExit")).map(StateStore::exitFromJson),
                            ((List<String>) m.getOrDefault("signers", List.of())).stream().map(KeyId::new)
                                    .collect(java.util.stream.Collectors.toSet()),
                            Optional.ofNullable((Map<String, Object>) m.get("grants")).map(dev.edgeagent.profiles.AppGrants::fromMap),
                            Optional.ofNullable((Map<String, Object>) m.get("limitsFrom")).map(LimitOrigin::fromWire)));
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("state in " + appsFile.getParent() + " is unreadable: " + e, e);
        }
    }

    private static Map<String, Object> exitToJson(ExitRecord e) {
        Map<String, Object> m = new LinkedHashMap<>();
        e.status().code().ifPresent(c -> m.put("code", c));
        e.status().signal().ifPresent(s -> m.put("signal", s));
        m.put("oomKilled", e.status().oomKilled());
        m.put("at", e.at().toString());
        return m;
    }

    private static ExitRecord exitFromJson(Map<String, Object> m) {
        Optional<Integer> code = Optional.ofNullable((Number) m.get("code")).map(Number::intValue);
        Optional<Integer> signal = Optional.ofNullable((Number) m.get("signal")).map(Number::intValue);
        return new ExitRecord(new ExitStatus(code, signal, Boolean.TRUE.equals(m.get("oomKilled"))), Instant.parse((String) m.get("at")));
    }

    private static long numOr(Map<String, Object> m, String key, long fallback) {
        return m.get(key) instanceof Number n ? n.longValue() : fallback;
    }

    private static long num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }
}
