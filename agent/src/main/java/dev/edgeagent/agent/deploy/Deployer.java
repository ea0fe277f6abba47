package dev.edgeagent.agent.deploy;

import dev.edgeagent.agent.AgentPaths;
import dev.edgeagent.agent.StorageRoot;
import dev.edgeagent.agent.supervise.AppSupervisor;
import dev.edgeagent.agent.supervise.ContainerLauncher;
import dev.edgeagent.agent.state.AppPhase;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.LimitOrigin;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.ota.DiskGuard;
import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.OtaException;
import dev.edgeagent.ota.PullProgress;
import dev.edgeagent.ota.PulledImage;
import dev.edgeagent.ota.blob.BlobCollector;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.profiles.Admission;
import dev.edgeagent.profiles.AppRequest;
import dev.edgeagent.profiles.CeilingExceeded;
import dev.edgeagent.profiles.NotGranted;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.AppOptions;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.VolumeMount;
import dev.edgeagent.protocol.wire.DeployOrderJson;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.UpdateStrategy;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.runtime.ContainerId;
import dev.edgeagent.runtime.RuntimeFailure;
import dev.edgeagent.runtime.spec.AppSpec;
import dev.edgeagent.runtime.spec.BindMount;
import dev.edgeagent.runtime.spec.HardenedSpec;
import dev.edgeagent.runtime.spec.OciSpec;
import dev.edgeagent.runtime.network.BridgeSpec;
import dev.edgeagent.runtime.network.NetworkPlan;
import dev.edgeagent.profiles.NetRule;
import dev.edgeagent.protocol.AppNetwork;
import dev.edgeagent.protocol.NetworkMode;
import dev.edgeagent.protocol.PortMapping;
import dev.edgeagent.security.fs.AtomicFiles;
import dev.edgeagent.security.fs.Trees;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import dev.edgeagent.security.seccomp.SeccompProfile;
import dev.edgeagent.security.seccomp.SeccompProfileJson;
import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.security.userns.SubordinateIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import dev.edgeagent.protocol.Digest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tinylog.Logger;

/**
 * One deploy, start to finish: pull and verify, unpack into a new generation, write the hardened bundle, replace
 * the running generation, start. Whatever fails, nothing half-built is left and the previous generation runs again.
 */
public final class Deployer {
    static final List<String> MOUNT_POINTS = List.of("/proc", "/sys", "/dev", "/tmp", "/run");
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final AgentPaths paths;
    private final StateStore state;
    private final BlobStore blobs;
    private final ImagePuller puller;
    private final LayerUnpacker unpacker;
    private final ContainerLauncher launcher;
    private final AppSupervisor supervisor;
    private final java.util.function.Supplier<DeviceProfile> policy;
    private final SeccompProfile seccomp;
    private final Clock clock;
    private final DiskGuard diskGuard;
    private final String cgroupParent;

    public Deployer(AgentPaths paths, StateStore state, BlobStore blobs, ImagePuller puller, LayerUnpacker unpacker,
            ContainerLauncher launcher, AppSupervisor supervisor, java.util.function.Supplier<DeviceProfile> policy, SeccompProfile seccomp, DiskGuard diskGuard,
            String cgroupParent, Clock clock) {
        this.cgroupParent = cgroupParent;
        this.paths = paths;
        this.state = state;
        this.blobs = blobs;
        this.puller = puller;
        this.unpacker = unpacker;
        this.launcher = launcher;
        this.supervisor = supervisor;
        this.policy = policy;
        this.seccomp = seccomp;
        this.clock = clock;
        this.diskGuard = diskGuard;
    }

    /**
     * At start, after a crash: removes containers and generation folders that no app record names — half-built
     * staging dirs, and what a deploy killed between starting its new generation and recording it leaves behind
     * (the record still names the old one).
     */
    public void removeOrphans() throws IOException {
        secureAppFolders();
        java.util.Set<ContainerId> wanted = new java.util.HashSet<>();
        java.util.Map<AppName, Long> generations = new java.util.HashMap<>();
        for (AppRecord a : state.apps()) {
            wanted.add(a.container());
            generations.put(a.name(), a.generation());
        }
        try {
            for (ContainerId c : launcher.runtime().list()) {
                if (!wanted.contains(c)) {
                    Logger.info("removing container {}, which no app record names (left by an interrupted deploy)", c);
                    launcher.runtime().delete(c, true);
                }
            }
        } catch (dev.edgeagent.runtime.RuntimeFailure e) {
            Logger.warn("cannot list the runtime's containers: {}", e.getMessage());
        }
        if (!Files.isDirectory(paths.apps())) {
            return;
        }
        try (var appDirs = Files.list(paths.apps())) {
            for (Path appDir : appDirs.toList()) {
                String name = appDir.getFileName().toString();
                Long keep;
                try {
                    keep = generations.get(new AppName(name));
                } catch (IllegalArgumentException notAnApp) {
                    continue; // not a folder the agent made (a pull check's scratch tree, say)
                }
                try (var entries = Files.list(appDir)) {
                    for (Path gen : entries.toList()) {
                        if (keep == null || !gen.getFileName().toString().equals(Long.toString(keep))) {
                            Logger.info(gen.getFileName().toString().startsWith(".staging-")
                                    ? "removing half-built generation {} left by an earlier run" : "removing {}, which no app record names", gen);
                            Trees.deleteRecursively(gen);
                        }
                    }
                }
                if (keep == null) {
                    Trees.deleteRecursively(appDir);
                }
            }
        }
    }

    /**
     * Deploys an order. A bug surfaces as an INTERNAL failure of this one deploy, after the same clean-up as any
     * other failure, so a desired-state apply goes on with its next app rather than stopping halfway.
     */
    /**
     * At start: an app folder an older agent left owned by the app's root becomes root's again, with its running
     * generation and config.json, before anything reads them. A symlink in their place is left alone and logged;
     * the next deploy of that app refuses it.
     */
    private void secureAppFolders() {
        for (AppRecord a : state.apps()) {
            Path appDir = paths.app(a.name());
            Path generation = paths.generation(a.name(), a.generation());
            long group = a.ids().toHost(0);
            try {
                if (!Files.exists(appDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                StorageRoot.prepareAppFolder(appDir, group);
                StorageRoot.refuseSymlink(generation);
                if (Files.isDirectory(generation, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    StorageRoot.passableBy(generation, group);
                    Path config = generation.resolve("config.json");
                    StorageRoot.refuseSymlink(config);
                    Files.setAttribute(config, "unix:uid", 0, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(config, "unix:gid", 0, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
                }
            } catch (IOException e) {
                Logger.error("app={} its folder is not safe to use: {}", a.name(), e.getMessage());
            }
        }
    }

    public AppRecord deploy(DeployOrder order, DeployEvents events) throws DeployFailure {
        try {
            return deployChecked(order, events);
        } catch (RuntimeException e) {
            Logger.error(e, "app={} deploy failed unexpectedly", order.app());
            throw new DeployFailure(ErrorCode.INTERNAL, "internal error while deploying " + order.app() + ": " + e, e);
        }
    }

    private AppRecord deployChecked(DeployOrder order, DeployEvents events) throws DeployFailure {
        AppName app = order.app();
        // The policy in force when the order is admitted judges the whole order, even if a new one arrives meanwhile.
        DeviceProfile profile = policy.get();
        Admission admission = admit(profile, order);
        Optional<NetworkPlan> network = networkPlan(profile, order);
        SeccompProfile filter = filterFor(profile, order, admission);
        ResourceLimits limits = admission.limits();
        Digest request = requestDigest(order);
        Optional<AppRecord> previous = state.app(app);
        if (previous.isPresent() && previous.get().request().equals(request) && launcher.isRunning(previous.get().container())) {
            events.emit("deploy.unchanged", Map.of("generation", previous.get().generation()));
            return previous.get();
        }

        events.emit("pull.started", Map.of("image", order.image().toString()));
        PullProgress progress = (blob, done, total, bytesDone, bytesTotal) ->
                events.emit("pull.progress", Map.of("blob", blob.digest().toString(), "blobs", done, "of", total,
                        "percent", bytesTotal == 0 ? 100 : (int) (100 * bytesDone / bytesTotal)));
        PulledImage image;
        try {
            image = puller.resolve(order.image(), profile.platform(), progress);
        } catch (OtaException e) {
            throw new DeployFailure(e.code(), e.getMessage(), e);
        }

        DiskGuard.Need need = DiskGuard.need(image, blobs);
        if (need.unpacked() > admission.storageBytes()) {
            throw new DeployFailure(ErrorCode.LIMIT_EXCEEDED, "the image would unpack to about " + (need.unpacked() >> 20)
                    + " MiB, above the ceiling of profile " + profile.name() + " (ceilings.storageBytes = " + admission.storageBytes() + ")");
        }
        try {
            diskGuard.check(need, paths.root());
        } catch (OtaException e) {
            throw new DeployFailure(e.code(), e.getMessage(), e);
        }

        long generation = previous.map(p -> p.generation() + 1).orElse(1L);
        ContainerId container = new ContainerId(app.value() + "-" + generation);
        IdRange ids;
        List<SubordinateIds> subordinate;
        try {
            subordinate = SubordinateIds.readHost();
        } catch (IOException e) {
            throw new DeployFailure(ErrorCode.STORAGE_ERROR, "could not read the host's subuid/subgid entries: " + e.getMessage(), e);
        }
        try {
            ids = state.idRange(app, subordinate.stream().map(SubordinateIds::range).toList());
        } catch (IOException e) {
            throw new DeployFailure(ErrorCode.STORAGE_ERROR, "could not record the id range of " + app + ": " + e.getMessage(), e);
        }
        Optional<SubordinateIds> clash = SubordinateIds.overlapping(ids, subordinate);
        if (clash.isPresent()) {
            // An entry added after the app got its range: whoever owns it could act as the app's root on the host.
            throw new DeployFailure(ErrorCode.NOT_PERMITTED, "host ids " + ids.hostStart() + "-" + ids.hostEnd() + " of " + app
                    + " overlap " + clash.get().describe() + "; remove or move that entry (edgeagent doctor lists every such entry)");
        }
        AppSpec spec = appSpec(image, container, app, ids, admission, filter, order);
        Path bundle;
        try {
            bundle = build(app, generation, image, spec, admission, network, progress, events);
        } catch (DeployFailure e) {
            if (e.code() != ErrorCode.INSUFFICIENT_STORAGE) {
                throw e;
            }
            // Nothing was stopped yet: say what still runs, so a full disk never reads as a broken device.
            throw new DeployFailure(e.code(), e.getMessage() + previous.map(p -> "; generation " + p.generation() + " of " + app
                    + " keeps running").orElse("; nothing of " + app + " was installed"), e.getCause());
        }

        boolean besideOld = previous.isPresent() && startBesideOld(profile, order, previous.get(), limits, events);
        if (previous.isPresent() && !besideOld) {
            stopPrevious(previous.get(), events);
        }
        // With start-then-stop the old generation runs on throughout: a failure leaves it as it was.
        Optional<AppRecord> toRestart = besideOld ? Optional.empty() : previous;
        try {
            launcher.start(app, container, bundle, pid -> supervisor.watch(container, pid));
        } catch (RuntimeFailure e) {
            discard(container, bundle);
            toRestart.ifPresent(p -> restartPrevious(p, events));
            throw new DeployFailure(ErrorCode.RUNTIME_ERROR, e.getMessage(), e);
        }
        int grace = order.options().healthGraceSeconds();
        if (grace > 0) {
            events.emit("health.started", Map.of("generation", generation, "graceSeconds", grace));
            HealthCheck.Verdict verdict = new HealthCheck(launcher.runtime()).run(container, grace, order.options().healthProbe(),
                    () -> launcher.isRunning(container));
            if (!verdict.passed()) {
                discard(container, bundle);
                toRestart.ifPresent(p -> restartPrevious(p, events));
                String after = besideOld ? "; generation " + previous.get().generation() + " kept running throughout"
                        : previous.map(p -> "; generation " + p.generation() + " runs again").orElse("; nothing runs in its place");
                events.emit("health.failed", Map.of("generation", generation, "graceSeconds", grace, "reason", verdict.reason()));
                throw new DeployFailure(ErrorCode.ROLLED_BACK, "generation " + generation + " of " + app + " " + verdict.reason()
                        + " (its log: " + paths.log(app) + ")" + after);
            }
            events.emit("health.passed", Map.of("generation", generation, "graceSeconds", grace));
        }
        if (besideOld) {
            stopPrevious(previous.get(), events);
        }
        AppRecord record = AppRecord.deployed(app, order.image(), image.manifestDigest(), generation, container, ids, limits,
                order.restart(), request, clock.instant()).signedBy(image.signers()).granted(grantsOf(order, admission, network))
                .limitsFrom(LimitOrigin.of(order.resources()));
        try {
            state.put(record);
        } catch (IOException e) {
            discard(container, bundle);
            previous.ifPresent(p -> restartPrevious(p, events));
            throw new DeployFailure(ErrorCode.STORAGE_ERROR, "could not record the deploy of " + app + ": " + e.getMessage(), e);
        }
        events.emit("container.started", Map.of("generation", generation, "container", container.value(),
                "runtime", launcher.runtime().describe()));
        previous.ifPresent(p -> removeGeneration(p.name(), p.generation()));
        collectGarbage(events);
        return record;
    }

    /** Drops blobs that no app's image refers to any more, such as the layers of a replaced generation. */
    public void collectGarbage(DeployEvents events) {
        Set<Digest> roots = new HashSet<>();
        for (AppRecord a : state.apps()) {
            roots.add(a.manifestDigest());
            a.image().digest().ifPresent(roots::add);
        }
        try {
            BlobCollector.Result r = BlobCollector.collect(blobs, roots);
            if (r.removed() > 0) {
                events.emit("gc.done", Map.of("blobsRemoved", r.removed(), "bytesFreed", r.bytesFreed()));
            }
        } catch (IOException e) {
            Logger.warn("blob garbage collection failed: {}", e.getMessage());
        }
    }

    /** The order's limits within the profile's ceilings, and each grant it asks for allowed by the profile. */
    private static Admission admit(DeviceProfile profile, DeployOrder order) throws DeployFailure {
        AppOptions o = order.options();
        AppRequest request = new AppRequest(order.resources().memoryBytes(), order.resources().pids(), order.resources().cpuMillis(),
                o.capabilities(), o.devices(), o.hostNetwork(), o.volumes().stream().map(VolumeMount::name).toList(),
                o.seccomp().isPresent());
        try {
            return profile.admit(request);
        } catch (CeilingExceeded e) {
            throw new DeployFailure(ErrorCode.LIMIT_EXCEEDED, e.getMessage());
        } catch (NotGranted e) {
            throw new DeployFailure(ErrorCode.NOT_PERMITTED, e.getMessage());
        }
    }

    /**
     * A bridge app's network as its profile admits it: bridge networks granted, host ports inside the granted
     * ranges, egress no wider than the profile allows. Empty for {@code none} and {@code host}.
     */
    private static Optional<NetworkPlan> networkPlan(DeviceProfile profile, DeployOrder order) throws DeployFailure {
        AppNetwork n = order.options().network();
        if (n.mode() != NetworkMode.BRIDGE) {
            return Optional.empty();
        }
        try {
            List<NetRule> egress = profile.admitNetwork(n.ports().stream().map(PortMapping::host).toList(), n.egress());
            List<String> names = n.networks().isEmpty() ? List.of(NetworkPlan.ownNetwork(order.app().value())) : n.networks();
            return Optional.of(new NetworkPlan(order.app().value(), names, n.ports(), egress));
        } catch (NotGranted e) {
            throw new DeployFailure(ErrorCode.NOT_PERMITTED, e.getMessage());
        }
    }

    /** What the app is granted beyond the default, kept with its record so a later policy can judge it again. */
    static dev.edgeagent.profiles.AppGrants grantsOf(DeployOrder order, Admission admission, Optional<NetworkPlan> network) {
        AppNetwork n = order.options().network();
        return new dev.edgeagent.profiles.AppGrants(admission.capabilities(), admission.devices().stream().map(d -> d.path()).toList(),
                admission.hostNetwork(), admission.volumes(), order.options().seccomp().isPresent(), admission.extraSyscalls(),
                network.isPresent(), network.isPresent() ? n.ports().stream().map(PortMapping::host).toList() : List.of(),
                network.isPresent() ? n.egress() : List.of());
    }

    /** What the order asks for, without its id: two orders with the same digest want the same container. */
    static Digest requestDigest(DeployOrder order) {
        DeployOrder anonymous = new DeployOrder(new OperationId("request"), order.app(), order.image(), order.resources(),
                order.restart(), order.options());
        return Digest.sha256Of(DeployOrderJson.encode(anonymous));
    }

    /** The default filter, widened by the profile's extra syscalls, or the app's own profile where it is granted. */
    private SeccompProfile filterFor(DeviceProfile profile, DeployOrder order, Admission admission) throws DeployFailure {
        try {
            if (order.options().seccomp().isPresent()) {
                return SeccompProfileJson.parse(new Fields(order.options().seccomp().get(), "seccomp"), seccomp,
                        admission.extraSyscalls());
            }
        } catch (Fields.WireException e) {
            throw new DeployFailure(ErrorCode.BAD_REQUEST, "the app's seccomp profile: " + e.getMessage(), e);
        } catch (SeccompProfileJson.NotGranted e) {
            throw new DeployFailure(ErrorCode.NOT_PERMITTED, "the app's seccomp profile: " + e.getMessage(), e);
        }
        return admission.extraSyscalls().isEmpty() ? seccomp
                : DefaultSeccompProfile.forArch(profile.platform().architecture(), admission.extraSyscalls());
    }

    private AppSpec appSpec(PulledImage image, ContainerId container, AppName app, IdRange ids, Admission admission,
            SeccompProfile filter, DeployOrder order) throws DeployFailure {
        try {
            ProcessUser user = ProcessUser.parse(image.config().user());
            List<String> env = new ArrayList<>(image.config().env());
            if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
                env.add(DEFAULT_PATH);
            }
            List<BindMount> volumes = new ArrayList<>();
            for (VolumeMount v : order.options().volumes()) {
                volumes.add(new BindMount(paths.volume(app, v.name()), v.path(), v.readOnly()));
            }
            return new AppSpec(container.value(), app.value(), image.config().processArgs(), env,
                    image.config().workingDir().orElse("/"), user.uid(), user.gid(), ids, admission.limits(), filter,
                    List.copyOf(admission.capabilities()), admission.devices(), admission.hostNetwork(), volumes);
        } catch (IllegalArgumentException e) {
            throw new DeployFailure(ErrorCode.UNSUPPORTED_IMAGE, "image " + image.ref() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fetches the layers and unpacks each into a staging dir as soon as it is verified (later layers still
     * downloading), writes the bundle, then renames it into place: a generation is whole or absent.
     */
    private Path build(AppName app, long generation, PulledImage image, AppSpec spec, Admission admission,
            Optional<NetworkPlan> network, PullProgress progress, DeployEvents events) throws DeployFailure {
        Path staging = paths.staging(app, generation);
        Path bundle = paths.generation(app, generation);
        long appGroup = spec.ids().toHost(0);
        boolean built = false;
        try {
            StorageRoot.prepareAppFolder(paths.app(app), appGroup);
            // Root-owned since the folder above is, so only a planted relic of an older layout can be a link here.
            StorageRoot.refuseSymlink(staging);
            Trees.deleteRecursively(staging);
            Trees.deleteRecursively(bundle);
            // Root's alone while it is built: no one else may reach into the rootfs while root writes into it.
            Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path rootfs = staging.resolve("rootfs");
            int layers = image.manifest().layers().size();
            events.emit("unpack.started", Map.of("layers", layers, "generation", generation));
            for (BindMount v : spec.volumes()) {
                // An app's volume belongs to its root; it outlives generations.
                StorageRoot.ownAppFolder(v.source(), spec.ids().toHost(0), spec.ids().toHost(0));
            }
            UnpackLimits limits = new UnpackLimits(Math.min(UnpackLimits.DEFAULT.maxTotalBytes(), admission.storageBytes()),
                    UnpackLimits.DEFAULT.maxEntries(), UnpackLimits.DEFAULT.maxPathLength());
            LayerUnpacker.Session session = new LayerUnpacker(limits).open(rootfs, spec.ids());
            puller.fetchAndUnpack(image, progress, session, index -> events.emit("unpack.layer", Map.of("layer", index + 1, "of", layers)));
            events.emit("pull.verified", Map.of("manifestDigest", image.manifestDigest().toString()));
            for (String mountPoint : MOUNT_POINTS) {
                unpacker.ensureDirectory(rootfs, mountPoint, spec.ids());
            }
            for (BindMount v : spec.volumes()) {
                unpacker.ensureDirectory(rootfs, v.destination(), spec.ids());
            }
            OciSpec oci = HardenedSpec.build(spec, cgroupParent);
            if (network.isPresent()) {
                unpacker.ensureDirectory(rootfs, "/etc", spec.ids());
                BridgeSpec.apply(oci, launcher.networks().netns(spec.containerId()), launcher.networks().hosts(spec.containerId()));
                AtomicFiles.writePrivate(staging.resolve(NetworkPlan.FILE), network.get().toJson());
            }
            // Written by root for root (runc reads it as root before it enters any namespace).
            AtomicFiles.writePrivate(staging.resolve("config.json"), Json.pretty(oci.root()));
            // Whole now: the app's root group may pass through to the rootfs, which is all the runtime needs.
            StorageRoot.passableBy(staging, appGroup);
            // The unpacked files reach the disk before the rename that makes the generation visible: after a power
            // cut the folder is whole, never a tree of empty files the record points at.
            AtomicFiles.syncFileSystem(staging);
            AtomicFiles.moveAtomically(staging, bundle);
            AtomicFiles.fsyncDirectory(paths.app(app));
            events.emit("unpack.done", Map.of("generation", generation));
            built = true;
            return bundle;
        } catch (OtaException e) {
            throw new DeployFailure(e.code(), e.getMessage(), e);
        } catch (IOException e) {
            deleteQuietly(bundle);
            OtaException failure = OtaException.storage("building generation " + generation + " of " + app, e);
            throw new DeployFailure(failure.code(), failure.getMessage(), e);
        } finally {
            if (!built && !Files.isSymbolicLink(staging)) {
                // Whatever stopped the build, a bug included: no half-built generation is left behind.
                deleteQuietly(staging);
            }
        }
    }

    /** Whether the new container is still running at the end of its grace period; it is checked every 100 ms. */
    private void stopPrevious(AppRecord previous, DeployEvents events) {
        ContainerId old = previous.container();
        launcher.stop(old).ifPresent(problem -> Logger.warn("app={} stopping {} failed: {}", previous.name(), old, problem));
        events.emit("container.stopped", Map.of("container", old.value()));
    }

    /**
     * Whether the new generation starts beside the old one: asked for, and the profile's memory ceiling holds both
     * generations' limits, and the app is not on the host's network (both would want its ports). Otherwise the
     * update stops the old one first, and says why.
     */
    private boolean startBesideOld(DeviceProfile profile, DeployOrder order, AppRecord previous, ResourceLimits limits, DeployEvents events) {
        if (order.options().strategy() != UpdateStrategy.START_THEN_STOP) {
            return false;
        }
        long both = previous.limits().memoryBytes() + limits.memoryBytes();
        String fallback = null;
        if (both > profile.ceilings().memoryBytes()) {
            fallback = "both generations need " + (both >> 20) + " MiB, above the " + (profile.ceilings().memoryBytes() >> 20)
                    + " MiB memory ceiling of profile " + profile.name();
        } else if (order.options().hostNetwork()) {
            fallback = "the app is on the host's network, where both generations would want the same ports";
        } else if (!order.options().network().ports().isEmpty()) {
            fallback = "the app publishes host ports, which both generations would want";
        }
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("requested", UpdateStrategy.START_THEN_STOP.wire());
        details.put("used", fallback == null ? UpdateStrategy.START_THEN_STOP.wire() : UpdateStrategy.STOP_THEN_START.wire());
        if (fallback != null) {
            details.put("reason", fallback);
        }
        events.emit("update.strategy", details);
        return fallback == null;
    }

    private void restartPrevious(AppRecord previous, DeployEvents events) {
        try {
            launcher.start(previous.name(), previous.container(), paths.generation(previous.name(), previous.generation()),
                    pid -> supervisor.watch(previous.container(), pid));
            recordRunning(previous);
            events.emit("rollback.done", Map.of("generation", previous.generation()));
        } catch (RuntimeFailure e) {
            Logger.error("app={} previous generation {} did not restart: {}", previous.name(), previous.generation(), e.getMessage());
            events.emit("rollback.failed", Map.of("generation", previous.generation(), "message", e.getMessage()));
        }
    }

    /**
     * The record says the previous generation runs again. It may have said otherwise: after an agent killed while
     * the new generation was on trial, the start found the previous container gone (stopped for the update) and
     * scheduled its restart, with back-off. Left RESTARTING, the record would say the app waits while it runs, the
     * supervisor would not watch it, and the scheduled restart would try to start a running container.
     */
    private void recordRunning(AppRecord previous) {
        Optional<AppRecord> current = state.app(previous.name());
        if (current.isEmpty() || !current.get().container().equals(previous.container()) || current.get().phase() == AppPhase.RUNNING) {
            return;
        }
        try {
            state.put(current.get().withPhase(AppPhase.RUNNING, clock.instant()));
        } catch (IOException e) {
            Logger.error("app={} generation {} runs again but could not be recorded as running: {}", previous.name(),
                    previous.generation(), e.getMessage());
        }
    }

    private void discard(ContainerId container, Path bundle) {
        launcher.stop(container).ifPresent(problem -> Logger.warn("deleting {} failed: {}", container, problem));
        deleteQuietly(bundle);
    }

    private void removeGeneration(AppName app, long generation) {
        deleteQuietly(paths.generation(app, generation));
    }

    private static void deleteQuietly(Path p) {
        try {
            Trees.deleteRecursively(p);
        } catch (IOException e) {
            Logger.warn("could not remove {}: {}", p, e.getMessage());
        }
    }
}
