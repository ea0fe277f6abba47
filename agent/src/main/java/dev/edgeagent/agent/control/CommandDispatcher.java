package dev.edgeagent.agent.control;

import dev.edgeagent.agent.deploy.DeployFailure;
import dev.edgeagent.agent.deploy.Deployer;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.status.StatusReporter;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.DeployOrderJson;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tinylog.Logger;

/** Turns a command on the wire into work and a reply. Bad input gets an error reply; it never throws through. */
public final class CommandDispatcher {
    public static final String DEPLOY = "deploy";

    private final DeviceId device;
    private final ControlChannel channel;
    private final Deployer deployer;
    private final StatusReporter status;
    private final int maxOrderBytes;
    private final Clock clock;

    public CommandDispatcher(DeviceId device, ControlChannel channel, Deployer deployer, StatusReporter status,
            int maxOrderBytes, Clock clock) {
        this.device = device;
        this.channel = channel;
        this.deployer = deployer;
        this.status = status;
        this.maxOrderBytes = maxOrderBytes;
        this.clock = clock;
    }

    /** Runs one command to its end and answers it. Called on the agent's single operations thread. */
    public void dispatch(String name, byte[] payload, ReplyTo replyTo) {
        if (!DEPLOY.equals(name)) {
            reject(DeployOrderJson.peekId(payload, maxOrderBytes), replyTo, ErrorCode.UNKNOWN_COMMAND,
                    "unknown command '" + name + "' (this agent knows: " + DEPLOY + ")");
            return;
        }
        Decoded<DeployOrder> decoded = DeployOrderJson.decode(payload, maxOrderBytes);
        if (decoded instanceof Decoded.Rejected<DeployOrder> r) {
            reject(r.id(), replyTo, r.code(), r.message());
            return;
        }
        deploy(((Decoded.Ok<DeployOrder>) decoded).value(), replyTo);
    }

    private void deploy(DeployOrder order, ReplyTo replyTo) {
        OperationId op = order.id();
        String app = order.app().value();
        Logger.info("op={} app={} deploy {} accepted", op, app, order.image());
        event(op, app, "deploy.accepted", Map.of("image", order.image().toString()));
        try {
            AppRecord record = deployer.deploy(order, (type, details) -> {
                Logger.info("op={} app={} {} {}", op, app, type, details);
                event(op, app, type, details);
            });
            channel.status(status.document());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("app", app);
            result.put("generation", record.generation());
            result.put("container", record.container().value());
            result.put("manifestDigest", record.manifestDigest().toString());
            result.put("phase", record.phase().name());
            channel.reply(replyTo, Messages.ok(op, "app " + app + " runs generation " + record.generation(), result));
            Logger.info("op={} app={} deploy done: generation {}", op, app, record.generation());
        } catch (DeployFailure e) {
            Logger.warn("op={} app={} deploy failed: {} {}", op, app, e.code(), e.getMessage());
            event(op, app, "deploy.failed", Map.of("code", e.code().name(), "message", e.getMessage()));
            status.recordError(op, e.code(), e.getMessage());
            channel.status(status.document());
            channel.reply(replyTo, Messages.error(Optional.of(op), e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            Logger.error(e, "op={} app={} deploy failed unexpectedly", op, app);
            String message = "internal error: " + e;
            event(op, app, "deploy.failed", Map.of("code", ErrorCode.INTERNAL.name(), "message", message));
            status.recordError(op, ErrorCode.INTERNAL, message);
            channel.status(status.document());
            channel.reply(replyTo, Messages.error(Optional.of(op), ErrorCode.INTERNAL, message));
        }
    }

    private void reject(Optional<OperationId> id, ReplyTo replyTo, ErrorCode code, String message) {
        Logger.warn("op={} order refused: {} {}", id.map(OperationId::value).orElse("-"), code, message);
        channel.reply(replyTo, Messages.error(id, code, message));
    }

    private void event(OperationId op, String app, String type, Map<String, Object> details) {
        channel.event(Messages.event(clock, device.value(), op, app, type, details));
    }
}
