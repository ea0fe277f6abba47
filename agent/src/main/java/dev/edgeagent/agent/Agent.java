package dev.edgeagent.agent;

import dev.edgeagent.agent.control.CommandDispatcher;
import dev.edgeagent.agent.control.ControlChannel;
import dev.edgeagent.agent.control.Messages;
import dev.edgeagent.agent.control.MqttControlChannel;
import dev.edgeagent.agent.deploy.Deployer;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.StateStore;
import dev.edgeagent.agent.status.StatusReporter;
import dev.edgeagent.ota.ImagePuller;
import dev.edgeagent.ota.blob.BlobStore;
import dev.edgeagent.ota.registry.RegistryClient;
import dev.edgeagent.ota.unpack.LayerUnpacker;
import dev.edgeagent.ota.unpack.UnpackLimits;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.profiles.Platform;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.runtime.ContainerRuntime;
import dev.edgeagent.runtime.runc.RuncDriver;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The daemon: wires the parts, then does every operation on one thread, in arrival order, so two orders for the
 * same app can never interleave.
 */
public final class Agent implements AutoCloseable {
    private static final long REFRESH_SECONDS = 5;

    private final ExecutorService operations = Executors.newSingleThreadExecutor(r -> new Thread(r, "operations"));
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "status-tick");
        t.setDaemon(true);
        return t;
    });
    private final ControlChannel channel;

    private Agent(ControlChannel channel) {
        this.channel = channel;
    }

    public static Agent start(AgentConfig config) throws Exception {
        Clock clock = Clock.systemUTC();
        DeviceProfile profile = DeviceProfiles.load(config.profile());
        Platform host = Platform.host();
        if (!profile.platform().os().equals(host.os()) || !profile.platform().architecture().equals(host.architecture())) {
            throw new IllegalStateException("device profile " + profile.name() + " is for " + profile.platform()
                    + " but this host is " + host);
        }
        AgentPaths paths = new AgentPaths(config.root());
        StorageRoot.prepare(paths);
        StateStore state = new StateStore(paths.state());
        BlobStore blobs = new BlobStore(config.root());
        ImagePuller puller = new ImagePuller(RegistryClient.create(config.registryTransport()), blobs);
        ContainerRuntime runtime = RuncDriver.open(config.runtimeBinary(), config.runtimeStateRoot());
        Deployer deployer = new Deployer(paths, state, blobs, puller, new LayerUnpacker(UnpackLimits.DEFAULT), runtime,
                profile, DefaultSeccompProfile.forArch(profile.platform().architecture()), clock);
        deployer.removeAbandonedStaging();
        StatusReporter status = new StatusReporter(config.deviceId(), profile, state, runtime, clock);
        ControlChannel channel = new MqttControlChannel(config.broker().toString(), new Topics(config.deviceId()));
        Agent agent = new Agent(channel);
        CommandDispatcher dispatcher = new CommandDispatcher(config.deviceId(), channel, deployer, status,
                config.maxOrderBytes(), clock);
        Logger.info("device {} profile {} runtime {} root {}", config.deviceId(), profile.name(), runtime.describe(), config.root());
        status.refresh(app -> {});
        channel.start((name, payload, replyTo) -> agent.operations.submit(() -> dispatcher.dispatch(name, payload, replyTo)));
        channel.status(status.document());
        agent.ticks.scheduleWithFixedDelay(() -> agent.operations.submit(() -> status.refresh(app -> {
            agent.reportPhaseChange(config, clock, app);
            channel.status(status.document());
        })), REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
        return agent;
    }

    private void reportPhaseChange(AgentConfig config, Clock clock, AppRecord app) {
        Logger.info("app={} container {} is now {}", app.name(), app.container(), app.phase());
        channel.event(Messages.event(clock, config.deviceId().value(), new OperationId("supervisor"), app.name().value(),
                "container." + app.phase().name().toLowerCase(java.util.Locale.ROOT),
                Map.of("container", app.container().value(), "generation", app.generation())));
    }

    /** Stops taking orders and disconnects. Containers keep running: the agent is not their parent. */
    @Override
    public void close() {
        ticks.shutdownNow();
        operations.shutdown();
        try {
            if (!operations.awaitTermination(30, TimeUnit.SECONDS)) {
                Logger.warn("an operation was still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.close();
    }
}
