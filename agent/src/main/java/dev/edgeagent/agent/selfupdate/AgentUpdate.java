package dev.edgeagent.agent.selfupdate;

import dev.edgeagent.agent.control.CommandResult;
import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.protocol.AgentVersion;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.UpdateAgentOrder;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.sign.KeyId;
import dev.edgeagent.security.sign.TrustDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.tinylog.Logger;

/**
 * Carries out one {@code update-agent} order up to the switch: checks the version only grows, fetches and verifies
 * the release, installs it beside the others, writes the trial for the launcher, and points {@code current} at it.
 * The caller replies and then exits, so the launcher starts the new release on trial. Loaded only when an order runs.
 */
public final class AgentUpdate {
    private AgentUpdate() {}

    /** What a successful install returns in its result: the version the agent restarts into. */
    public static final String INSTALLING = "installing";

    public static CommandResult run(UpdateAgentOrder order, AgentVersion running, AgentSlots slots, Optional<TrustDocument> trust,
            RegistryClient registry, BlobStore blobs, int graceSeconds, BiConsumer<String, Map<String, Object>> events) {
        AgentVersion wanted = order.version();
        try {
            if (trust.isEmpty()) {
                return CommandResult.error(ErrorCode.UPDATE_NOT_TRUSTED, "this agent runs without a trust document (allowUnsigned) and "
                        + "takes no agent release: there is no agent role to vouch for one");
            }
            if (wanted.equals(running)) {
                return CommandResult.ok("agent " + running + " is running already", Map.of("running", running.toString()));
            }
            if (!wanted.isAfter(running)) {
                return CommandResult.error(ErrorCode.REPLAYED, "agent " + wanted + " is not newer than the running " + running
                        + "; an agent only moves to higher versions");
            }
            Optional<AgentVersion> highest = slots.highest();
            if (highest.isPresent() && !wanted.isAfter(highest.get())) {
                return CommandResult.error(ErrorCode.REPLAYED, "agent " + wanted + " is not newer than " + highest.get()
                        + ", the highest version this device ever committed; an old release is never installed again");
            }
            events.accept("agent.update.started", Map.of("version", wanted.toString(), "artifact", order.artifact().toString()));
            AgentRelease.Fetched release = AgentRelease.fetch(registry, blobs, trust.get(), order.artifact());
            if (!release.version().equals(wanted)) {
                return CommandResult.error(ErrorCode.BAD_REQUEST, "the release at " + order.artifact() + " is version " + release.version()
                        + ", not the " + wanted + " the order names");
            }
            if (release.minJava() > Runtime.version().feature()) {
                return CommandResult.error(ErrorCode.UNSUPPORTED_IMAGE, "agent " + wanted + " needs Java " + release.minJava()
                        + "; this device runs Java " + Runtime.version().feature());
            }
            String previous = slots.currentTarget();
            install(slots, wanted, release.jar());
            Map<String, String> trial = new LinkedHashMap<>();
            trial.put("version", wanted.toString());
            trial.put("previous", previous);
            trial.put("graceSeconds", Integer.toString(graceSeconds));
            trial.put("attempts", "0");
            trial.put("order", order.id().value());
            slots.write(slots.trial(), trial); // before the switch: a current without its trial would never be judged
            switchTo(slots, wanted.toString());
            Logger.info("op={} agent {} installed beside {}, signed by {}; restarting into it (grace {} s)", order.id(), wanted, previous,
                    release.signers().stream().map(KeyId::shortForm).toList(), graceSeconds);
            events.accept("agent.update.installing", Map.of("version", wanted.toString(), "previous", previous,
                    "graceSeconds", graceSeconds));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put(INSTALLING, wanted.toString());
            result.put("previous", previous);
            result.put("graceSeconds", graceSeconds);
            return CommandResult.ok("agent " + wanted + " installed; restarting into it", result);
        } catch (OtaException e) {
            return CommandResult.error(e.code(), e.getMessage());
        } catch (IOException e) {
            return CommandResult.error(ErrorCode.STORAGE_ERROR, "could not install agent " + wanted + ": " + e.getMessage());
        }
    }

    /** {@code <version>/edgeagent.jar}, built in a staging directory and renamed into place: whole or absent. */
    static void install(AgentSlots slots, AgentVersion version, Path jar) throws IOException {
        Files.createDirectories(slots.dir());
        Path staging = slots.dir().resolve(".staging-" + version);
        Path target = slots.release(version);
        dev.edgeagent.security.fs.Trees.deleteRecursively(staging);
        Files.createDirectory(staging);
        Path copy = staging.resolve("edgeagent.jar");
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncFile(copy);
        AtomicFiles.fsyncDirectory(staging);
        dev.edgeagent.security.fs.Trees.deleteRecursively(target); // a release that failed its trial before, installed again
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(slots.dir());
    }

    /** Points {@code current} at {@code target}: a new link renamed over the old one, so it is always one or the other. */
    static void switchTo(AgentSlots slots, String target) throws IOException {
        Path tmp = slots.dir().resolve("current.new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(target));
        Files.move(tmp, slots.current(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDirectory(slots.dir());
    }
}
