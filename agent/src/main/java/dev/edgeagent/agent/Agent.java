package dev.edgeagent.agent;

import dev.edgeagent.agent.control.AppCommands;
import dev.edgeagent.agent.control.CommandDispatcher;
import dev.edgeagent.agent.control.ConnectAhead;
import dev.edgeagent.agent.control.ControlChannel;
import dev.edgeagent.agent.control.InputLimits;
import dev.edgeagent.agent.control.LocalSocketServer;
import dev.edgeagent.agent.control.Messages;
import dev.edgeagent.agent.control.MqttControlChannel;
import dev.edgeagent.agent.control.SignedOrderGate;
import dev.edgeagent.agent.control.StartGate;
import dev.edgeagent.agent.audit.AuditLog;
import dev.edgeagent.agent.policy.Policy;
import dev.edgeagent.agent.policy.PolicyEnforcer;
import dev.edgeagent.agent.policy.PolicyStore;
import dev.edgeagent.agent.policy.PolicyUpdates;
import dev.edgeagent.agent.trust.SequenceStore;
import dev.edgeagent.agent.trust.RevokedImages;
import dev.edgeagent.agent.trust.TrustStatus;
import dev.edgeagent.agent.trust.TrustStore;
import dev.edgeagent.ota.sign.CosignVerifier;
import dev.edgeagent.ota.sign.ImageTrust;
import dev.edgeagent.agent.deploy.Deployer;
import dev.edgeagent.agent.deploy.Reconciler;
import dev.edgeagent.agent.state.DesiredStore;
import dev.edgeagent.protocol.AppOrder;
import dev.edgeagent.protocol.Commands;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.OrderLog;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.agent.status.StatusReporter;
import dev.edgeagent.agent.supervise.AppSupervisor;
import dev.edgeagent.agent.supervise.ContainerLauncher;
import dev.edgeagent.ota.DiskGuard;
import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.security.sign.TrustDocument;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.host.RuntimeChoice;
import dev.edgeagent.runtime.runc.RuncDriver;
import dev.edgeagent.runtime.network.AppNetworks;
import dev.edgeagent.runtime.network.CniPlugins;
import dev.edgeagent.runtime.supervise.CgroupFiles;
import dev.edgeagent.runtime.supervise.ChildReaper;
import dev.edgeagent.runtime.supervise.LogPump;
import dev.edgeagent.runtime.supervise.LogRotator;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import dev.edgeagent.agent.memory.HeapShrinker;
import org.tinylog.Logger;

/**
 * The daemon: wires the parts, then does every operation on one thread, in arrival order, so two orders for the
 * same app, or an order and a restart, can never interleave.
 */
public final class Agent implements AutoCloseable {
    private static final long TICK_SECONDS = 5;
    private static final OperationId SUPERVISOR = new OperationId("supervisor");
    /** The exit status after installing an agent release (EX_TEMPFAIL): the launcher starts it on trial. */
    public static final int RESTART_INTO_UPDATE = 75;

    /**
     * Orders that change things, one at a time, and the timed work (the supervision tick, the status beat, restart
     * back-offs), which only queues them here: one thread for both. Delayed work is dropped at shutdown.
     */
    private final ScheduledThreadPoolExecutor operations = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "operations"));
    private final ScheduledExecutorService timer = operations;

    {
        // A restart back-off due in minutes must not outlive a stop: a stop cancels what is only scheduled.
        operations.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }
    // Read-only orders (ping, list, logs, …) never wait behind a deploy; their thread goes away when there are none.
    private final ThreadPoolExecutor queries = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> new Thread(r, "queries"));

    {
        operations.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        queries.allowCoreThreadTimeOut(true);
    }
    private final java.util.concurrent.atomic.AtomicLong ordersArrived = new java.util.concurrent.atomic.AtomicLong();

    /**
     * What arrives from the broker, onto the thread of its kind. An order over its kind's limit, or one that finds the
     * backlog full, is refused from its size alone and its bytes dropped here, on Paho's thread; the rest wait their
     * turn, behind the start gate until the agent is set up. Each is acknowledged once answered, whatever happened,
     * or the broker holds every later order back. The work runs only once the gate has opened, so {@code dispatcher}
     * is set by then.
     */
    private dev.edgeagent.agent.control.ControlChannel.CommandHandler ordersFromBroker(InputLimits limits,
            dev.edgeagent.agent.control.OrderBacklog backlog) {
        return (name, payload, replyTo, done) -> {
            int size = payload.length;
            Runnable work;
            if (limits.exceeded(name, size)) {
                work = () -> dispatcher.refuseTooLarge(name, size, replyTo);
            } else if (CommandDispatcher.isRetained(name)) {
                work = () -> dispatcher.dispatch(name, payload, replyTo); // capped, and few: never refused as busy
            } else if (backlog.admit(size)) {
                work = () -> {
                    try {
                        dispatcher.dispatch(name, payload, replyTo);
                    } finally {
                        backlog.release(size);
                    }
                };
            } else {
                long waiting = backlog.waiting();
                work = () -> dispatcher.refuseBusy(name, size, waiting, replyTo);
            }
            startGate.submit(CommandDispatcher.isReadOnly(name) ? queries : operations, () -> {
                ordersArrived.incrementAndGet();
                try {
                    work.run();
                } catch (Error e) {
                    // dispatch answers every exception itself; an Error would vanish into the executor's future unseen
                    Logger.error(e, "{} order could not be carried out", name);
                } finally {
                    done.run();
                }
            });
        };
    }
    private long ordersAtLastTick;
    private final HeapShrinker heap = new HeapShrinker(HEAP_COLLECTION_FLOOR, Runtime.getRuntime().totalMemory());
    private static final long HEAP_COLLECTION_FLOOR = 24L * 1024 * 1024;
    private ControlChannel channel;
    /** Orders that arrive from the broker before the agent is set up wait here (the connection is made beside it). */
    private final StartGate startGate = new StartGate();
    private CommandDispatcher dispatcher;
    private LocalSocketServer local;
    private LogPump logPump;
    private AppNetworks networks;
    private Deployer deployer;

    private Agent() {}

    public static Agent start(AgentConfig config) throws Exception {
        Logger.info("starting device {}", config.deviceId());
        Agent agent = new Agent();
        InputLimits limits = InputLimits.forOrders(config.maxOrderBytes());
        // The broker connection (TLS context, handshake, subscriptions) is made beside the local set-up (issue 12).
        ConnectAhead connecting = ConnectAhead.begin(() -> channelFor(config, limits),
                agent.ordersFromBroker(limits, dev.edgeagent.agent.control.OrderBacklog.forOrders(config.maxOrderBytes())));
        try {
            return setUp(agent, config, limits, connecting);
        } catch (Exception | Error e) {
            if (agent.channel == null) {
                connecting.abandon(); // else agent.close() closes it
            }
            agent.close(); // no thread of a failed start outlives it
            throw e;
        }
    }

    /** The control channel to the configured broker: its TLS context and client; it connects when started. */
    private static ControlChannel channelFor(AgentConfig config, InputLimits limits) throws Exception {
        java.util.Optional<javax.net.ssl.SSLContext> tls = java.util.Optional.empty();
        if (config.mqttTls().isPresent()) {
            AgentConfig.MqttTls t = config.mqttTls().get();
            tls = java.util.Optional.of(dev.edgeagent.security.tls.PemTls.context(t.ca(), t.cert(), t.key()));
        }
        return new MqttControlChannel(config.broker().toString(), new Topics(config.deviceId()), tls, 1000)
                .followGroups(config.groups()).limitInput(limits);
    }

    private static Agent setUp(Agent agent, AgentConfig config, InputLimits limits, ConnectAhead connecting) throws Exception {
        Clock clock = Clock.systemUTC();
        DeviceProfile bootstrap = DeviceProfiles.load(config.profile());
        Platform host = Platform.host();
        if (!bootstrap.platform().os().equals(host.os()) || !bootstrap.platform().architecture().equals(host.architecture())) {
            throw new IllegalStateException("device profile " + bootstrap.name() + " is for " + bootstrap.platform()
                    + " but this host is " + host);
        }
        AgentPaths paths = new AgentPaths(config.root());
        StorageRoot.prepare(paths);
        // The profile the config names is only the bootstrap: a signed policy stored under trust/ wins over it.
        PolicyStore policies = PolicyStore.open(paths.trust(),
                Policy.bootstrap(bootstrap, dev.edgeagent.protocol.Digest.sha256Of(DeviceProfiles.bytes(config.profile()))), host);
        DeviceProfile profile = policies.profile();
        StateStore state = new StateStore(paths.state());
        BlobStore blobs = new BlobStore(config.root());
        RegistryClient registry = RegistryClient.create(config.registryTransport());
        java.util.Optional<TrustStore> trust = config.trust().document().isPresent()
                ? java.util.Optional.of(TrustStore.open(paths.trust(), config.trust().document().get()))
                : java.util.Optional.empty();
        ImagePuller puller = new ImagePuller(registry, blobs, trust.<ImageTrust>map(t -> new CosignVerifier(registry, t::current))
                .orElse(ImageTrust.UNCHECKED));
        RuntimeChoice choice = RuntimeChoice.chooseOnHost(profile.runtime(), config.runtimeBinary());
        ContainerRuntime runtime = RuncDriver.open(choice.binary(), config.runtimeStateRoot());
        String runtimeChoice = choice.reason();

        String cgroupParent = dev.edgeagent.runtime.spec.HardenedSpec.cgroupParent(config.deviceId().value());
        // One thread drains every app's log pipe into capped files (LogPump).
        agent.logPump = LogPump.start(new LogRotator(config.logMaxBytes(), config.logKeep()));
        AppNetworks networks = new AppNetworks(config.root().toString(), paths.net(),
                new CniPlugins(CniPlugins.DEBIAN_PATH), profile.grants().network().subnetPool());
        agent.networks = networks;
        ContainerLauncher launcher = new ContainerLauncher(runtime, paths, agent.logPump, networks);
        AppSupervisor supervisor = new AppSupervisor(state, launcher, paths, ChildReaper.install(), CgroupFiles.host(), cgroupParent,
                agent.operations, agent.timer, clock);
        Deployer deployer = new Deployer(paths, state, blobs, puller, new LayerUnpacker(UnpackLimits.DEFAULT), launcher, supervisor,
                policies::profile, DefaultSeccompProfile.forArch(profile.platform().architecture()), new DiskGuard(config.diskReserveBytes()), cgroupParent, clock);
        deployer.removeOrphans();
        agent.deployer = deployer;
        networks.removeLeftovers(state.apps().stream().map(a -> a.container().value()).collect(java.util.stream.Collectors.toSet()));
        StatusReporter status = new StatusReporter(config.deviceId(), policies::profile, state, runtime, runtimeChoice, supervisor, clock);
        ControlChannel channel = connecting.channel(); // made by now, connected or not
        agent.channel = channel;
        status.countDroppedFrom(channel::dropped);
        status.networksFrom(container -> networks.attachment(container).map(dev.edgeagent.runtime.network.NetworkSummary::of));
        status.groups(config.groups());
        supervisor.listen(new AppSupervisor.Listener() {
            @Override
            public void event(AppRecord app, String type, Map<String, Object> details) {
                channel.event(Messages.event(clock, config.deviceId().value(), SUPERVISOR, app.name().value(), type, details));
            }

            @Override
            public void statusChanged() {
                channel.status(status.document());
            }
        });
        AppCommands apps = new AppCommands(state, launcher, supervisor, paths, deployer, status, clock);
        CommandDispatcher dispatcher = new CommandDispatcher(config.deviceId(), channel, deployer, apps, status,
                new OrderLog(paths.state()), config.maxOrderBytes(), clock);
        agent.dispatcher = dispatcher;
        java.util.Set<String> targets = new java.util.HashSet<>();
        targets.add(config.deviceId().value());
        config.groups().forEach(g -> targets.add("group:" + g));
        // The audit trail: appended on the operations thread, nothing of its own running between entries.
        AuditLog audit = AuditLog.open(config.root().resolve("audit"), clock);
        dispatcher.auditTo(audit);
        status.auditFrom(audit::status);
        PolicyEnforcer.Events policyEvents = (app, type, details) -> channel.event(Messages.event(clock, config.deviceId().value(),
                new OperationId("policy"), app, type, details));
        PolicyEnforcer enforcer = new PolicyEnforcer(paths.trust(), state, new PolicyEnforcer.Actions() {
            @Override
            public dev.edgeagent.agent.control.CommandResult stop(dev.edgeagent.protocol.AppName app, String why) {
                return audited(Commands.STOP, why, apps.run(Commands.STOP, new AppOrder(new OperationId(why), java.util.Optional.of(app),
                        java.util.OptionalInt.empty(), false)));
            }

            private dev.edgeagent.agent.control.CommandResult audited(String command, String why, dev.edgeagent.agent.control.CommandResult r) {
                audit.record(command, java.util.Optional.of(why), List.of(), r.ok() ? "OK" : r.code().name(), "policy", Map.of());
                return r;
            }

            @Override
            public dev.edgeagent.agent.control.CommandResult start(dev.edgeagent.protocol.AppName app, String why) {
                return audited(Commands.START, why, apps.run(Commands.START, new AppOrder(new OperationId(why), java.util.Optional.of(app),
                        java.util.OptionalInt.empty(), false)));
            }
        }, policyEvents);
        apps.admitStartsWith(app -> PolicyEnforcer.violations(policies.profile(), app));
        PolicyUpdates policyUpdates = new PolicyUpdates(policies, trust, targets, clock, enforcer, policyEvents);
        dispatcher.policyWith(policyUpdates::received);
        policyUpdates.listen((outcome, accepted, signers) -> accepted.ifPresent(p -> audit.record("policy",
                java.util.Optional.of("policy-v" + p.version()), signers, outcome, "mqtt",
                Map.of("version", p.version(), "name", p.profile().name(), "digest", p.digest().toString()))));
        status.policyFrom(() -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>(policies.current().summary());
            m.put("violations", enforcer.status(policies.current()));
            return m;
        });
        if (trust.isPresent()) {
            TrustStore t = trust.get();
            dev.edgeagent.agent.trust.ClockWatch clockWatch = new dev.edgeagent.agent.trust.ClockWatch();
            dispatcher.requireSigned(t, new SignedOrderGate(t, targets, clock, clockWatch), new SequenceStore(paths.trust()));
            status.clockFrom(clockWatch::status);
            status.trustFrom(() -> TrustStatus.of(t.current(), clock.instant(), RevokedImages.check(t.current(), state.apps())));
            t.onAccepted(doc -> {
                boolean stop = doc.revokedImages() == TrustDocument.RevokedImages.STOP;
                for (RevokedImages.Revoked r : RevokedImages.check(doc, state.apps())) {
                    Logger.warn("op=trust app={} no longer trusted by trust document v{} ({}): {}", r.app(), doc.version(),
                            stop ? "stopping it" : "reported", r.reason());
                    channel.event(Messages.event(clock, config.deviceId().value(), new OperationId("trust"), r.app().value(),
                            "trust.revoked-image", Map.of("version", doc.version(), "image", r.image(), "reason", r.reason(),
                                    "action", stop ? "stop" : "report")));
                    if (stop) {
                        audit.record("stop", java.util.Optional.of("trust-revoked-" + r.app().value()), List.of(), "OK", "trust",
                                Map.of("version", doc.version()));
                        apps.run(Commands.STOP, new AppOrder(new OperationId("trust-revoked-" + r.app().value()),
                                java.util.Optional.of(r.app()), java.util.OptionalInt.empty(), false));
                    }
                }
            });
            Logger.info("trust document v{} in force: orders and images must be signed", t.current().version());
        } else {
            Logger.warn("allowUnsigned: this agent takes unsigned orders and runs unsigned images (lab use only)");
        }
        Reconciler reconciler = new Reconciler(new DesiredStore(paths.state()), state, config.deviceId().value(), targets,
                limits.desiredBytes(), dispatcher::deploy,
                app -> apps.run(Commands.REMOVE, new AppOrder(new OperationId("desired-remove-" + app), java.util.Optional.of(app),
                        java.util.OptionalInt.empty(), false)));
        dispatcher.reconcileWith(reconciler);
        // update-agent, as an order or a desired state's agent: the update code is loaded when one runs, not before
        java.util.function.Function<dev.edgeagent.protocol.UpdateAgentOrder, dev.edgeagent.agent.control.CommandResult> agentUpdates =
                order -> dev.edgeagent.agent.selfupdate.AgentUpdate.run(order, RunningVersion.get(),
                        dev.edgeagent.agent.selfupdate.AgentSlots.under(config.root()), trust.map(TrustStore::current), registry, blobs,
                        config.agentUpdateGraceSeconds(), (type, details) -> channel.event(Messages.event(clock,
                                config.deviceId().value(), order.id(), "-", type, details)));
        Runnable restartIntoUpdate = () -> new Thread(() -> System.exit(RESTART_INTO_UPDATE), "agent-update-exit").start();
        dispatcher.updateAgentWith(agentUpdates, restartIntoUpdate);
        reconciler.updateAgentWith(agentUpdates, restartIntoUpdate);
        status.desiredFrom(reconciler::outcome);
        Logger.info("device {} profile {} runtime {} root {}", config.deviceId(), profile.name(), runtimeChoice, config.root());
        agent.operations.submit(supervisor::adoptAll).get();
        agent.operations.submit(() -> reconciler.resume((type, details) -> channel.event(Messages.event(clock,
                config.deviceId().value(), new OperationId("desired"), "-", type, details))));
        connecting.awaitConnected();
        // What came at CONNACK (a persistent session's queued orders, the retained documents) runs now, behind the resume.
        int held = agent.startGate.open();
        if (held > 0) {
            Logger.info("{} orders that came while the agent was starting go to their threads now, in arrival order", held);
        }
        agent.local = LocalSocketServer.open(config.localSocket(), config.maxOrderBytes(), (name, order, reply) ->
                (CommandDispatcher.isReadOnly(name) ? agent.queries : agent.operations)
                        .submit(() -> {
                            agent.ordersArrived.incrementAndGet();
                            dispatcher.dispatchLocal(name, order, reply);
                        }));
        channel.status(status.document());
        if (!Boolean.TRUE.equals(audit.status().get("intact"))) {
            channel.event(Messages.event(clock, config.deviceId().value(), new OperationId("audit"), "-", "audit.tampered",
                    Map.of("message", String.valueOf(audit.status().get("problem")))));
        }
        if (java.nio.file.Files.isDirectory(config.root().resolve("agent"))) {
            // Connected, status out: a release on trial commits here; an agent rolled back to says so.
            Map<String, Object> summary = Map.of("version", RunningVersion.get().toString());
            try {
                summary = dev.edgeagent.agent.selfupdate.UpdateOutcome.settle(
                    dev.edgeagent.agent.selfupdate.AgentSlots.under(config.root()), RunningVersion.get(), clock.instant(),
                    (type, details) -> channel.event(Messages.event(clock, config.deviceId().value(), new OperationId("agent-update"),
                            "-", type, details)));
            } catch (java.io.IOException | RuntimeException e) {
                Logger.error("op=agent-update could not settle the last agent update: {}", e.getMessage());
            }
            Map<String, Object> agentSummary = summary;
            status.agentFrom(() -> agentSummary);
            channel.status(status.document());
        }
        agent.timer.scheduleWithFixedDelay(() -> agent.operations.submit(() -> {
            agent.giveHeapBackAfterBurst();
            supervisor.poll();
            if (reconciler.retryIfDue(clock.instant(), (type, details) -> channel.event(Messages.event(clock,
                    config.deviceId().value(), new OperationId("desired"), "-", type, details)))) {
                channel.status(status.document());
            }
        }), TICK_SECONDS, TICK_SECONDS, TimeUnit.SECONDS);
        // Status also goes out on every change; this is the periodic metrics beat (resource usage).
        long every = config.statusIntervalSeconds();
        agent.timer.scheduleWithFixedDelay(() -> agent.operations.submit(() -> channel.status(status.document())), every, every,
                TimeUnit.SECONDS);
        return agent;
    }

    /**
     * A full collection on the first quiet tick after a burst grew the heap (see {@link HeapShrinker}); the serial
     * collector then returns the unused heap to the system, and the JVM's native-heap trim returns what glibc kept.
     */
    private void giveHeapBackAfterBurst() {
        long arrived = ordersArrived.get();
        boolean quiet = arrived == ordersAtLastTick;
        ordersAtLastTick = arrived;
        Runtime runtime = Runtime.getRuntime();
        long before = runtime.totalMemory();
        if (heap.due(before, quiet)) {
            System.gc();
            heap.collected(runtime.totalMemory());
            Logger.info("heap collected after a burst: {} KiB committed before, {} KiB after", before / 1024,
                    runtime.totalMemory() / 1024);
        }
    }

    /** For tests that drive one deploy directly, with events of their own (a failure injected mid-build). */
    Deployer deployer() {
        return deployer;
    }

    /**
     * Calls {@code ping} every {@code every} from the operations thread itself, so a wedged operation (not a slow
     * one shorter than the watchdog's period) stops the pings and lets systemd restart the agent.
     */
    public void watchdog(java.time.Duration every, Runnable ping) {
        long millis = Math.max(1, every.toMillis());
        timer.scheduleWithFixedDelay(() -> operations.submit(ping), 0, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops taking orders and disconnects, within {@link #STOP_WITHIN} whatever the broker does (gone, dying or
     * frozen). An operation still running after {@link #OPERATIONS_GRACE} is left as a crash would leave it: its
     * order is not acknowledged, so the broker delivers it again, and the next start finishes what it began.
     * Containers keep running: the agent is not their parent.
     */
    @Override
    public void close() {
        if (networks != null) {
            networks.close();
        }
        queries.shutdown();
        operations.shutdown();
        if (local != null) {
            local.close();
        }
        boolean finished = awaitOperations(OPERATIONS_GRACE);
        if (channel != null) {
            channel.close(); // bounded; also fails a publish an operation is blocked in
        }
        if (logPump != null) {
            logPump.close(); // containers keep their pipes: the next agent drains them
        }
        if (!finished && !awaitOperations(Duration.ofMillis(500))) {
            Logger.warn("an operation was still running at shutdown; it is left as a crash would leave it");
        }
    }

    /** The most a stop takes (issue 16): the operations' grace, the channel's goodbye, and a last moment. */
    public static final Duration STOP_WITHIN = Duration.ofSeconds(5);
    static final Duration OPERATIONS_GRACE = Duration.ofSeconds(2);

    private boolean awaitOperations(Duration grace) {
        try {
            return operations.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
