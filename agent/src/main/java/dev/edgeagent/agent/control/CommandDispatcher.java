package dev.edgeagent.agent.control;

import dev.edgeagent.agent.deploy.DeployFailure;
import dev.edgeagent.agent.deploy.Deployer;
import dev.edgeagent.agent.deploy.Reconciler;
import dev.edgeagent.agent.state.AppRecord;
import dev.edgeagent.agent.state.OrderLog;
import dev.edgeagent.agent.status.StatusReporter;
import dev.edgeagent.agent.trust.SequenceStore;
import dev.edgeagent.agent.trust.TrustStore;
import dev.edgeagent.security.sign.SignedOrder;
import dev.edgeagent.security.sign.TrustFailure;
import dev.edgeagent.protocol.AppOrder;
import dev.edgeagent.protocol.Commands;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.wire.AppOrderJson;
import dev.edgeagent.protocol.wire.DeployOrderJson;
import dev.edgeagent.protocol.wire.OrderPayload;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * Turns a command on the wire into work and one reply. Bad input gets an error reply and nothing else; an order
 * that changed something is recorded with its reply, so the same order delivered again is answered, not redone.
 */
public final class CommandDispatcher {
    private final DeviceId device;
    private final ControlChannel channel;
    private final Deployer deployer;
    private final AppCommands apps;
    private final StatusReporter status;
    private final OrderLog orders;
    private final int maxOrderBytes;
    private final InputLimits limits;
    private final Clock clock;

    public CommandDispatcher(DeviceId device, ControlChannel channel, Deployer deployer, AppCommands apps, StatusReporter status,
            OrderLog orders, int maxOrderBytes, Clock clock) {
        this.device = device;
        this.channel = channel;
        this.deployer = deployer;
        this.apps = apps;
        this.status = status;
        this.orders = orders;
        this.maxOrderBytes = maxOrderBytes;
        this.limits = InputLimits.forOrders(maxOrderBytes);
        this.clock = clock;
    }

    /** The pseudo-command under which the channel hands over a desired-state document. */
    public static final String DESIRED = "@desired";
    /** The pseudo-command under which the channel hands over a new trust document. */
    public static final String TRUST = "@trust";
    /** The pseudo-command under which the channel hands over a signed isolation policy. */
    public static final String POLICY = "@policy";

    private java.util.function.Consumer<byte[]> policy = wire -> event(new OperationId("policy"), "-", "policy.refused",
            Map.of("code", ErrorCode.NOT_PERMITTED.name(), "message", "this agent takes no policy over MQTT"));

    /** Where a policy that arrived goes (the policy updates). */
    public void policyWith(java.util.function.Consumer<byte[]> handler) {
        this.policy = handler;
    }

    private dev.edgeagent.agent.audit.AuditSink audit = dev.edgeagent.agent.audit.AuditSink.NONE;

    /** Every changing order that passed the gate, and every trust and desired-state change, is recorded there. */
    public void auditTo(dev.edgeagent.agent.audit.AuditLog log) {
        this.audit = log;
        this.auditLog = log;
    }

    private dev.edgeagent.agent.audit.AuditLog auditLog;

    private static java.util.List<String> signers(OrderGate.Opened opened) {
        return opened.signed().map(v -> v.signers().stream().map(k -> k.value()).sorted().toList()).orElse(java.util.List.of());
    }

    /** Whether {@code name} is a retained document's (desired state, trust, policy) rather than an order's. */
    public static boolean isRetained(String name) {
        return DESIRED.equals(name) || TRUST.equals(name) || POLICY.equals(name);
    }

    private Reconciler reconciler;
    private OrderGate gate = OrderGate.UNSIGNED;
    private java.util.Optional<SequenceStore> sequences = java.util.Optional.empty();
    private java.util.Optional<TrustStore> trust = java.util.Optional.empty();

    /** Orders over MQTT must from now on be signed: opened by {@code gate}, counted in {@code sequences}. */
    public void requireSigned(TrustStore store, OrderGate gate, SequenceStore sequences) {
        this.trust = java.util.Optional.of(store);
        this.gate = gate;
        this.sequences = java.util.Optional.of(sequences);
    }

    public void reconcileWith(Reconciler r) {
        this.reconciler = r;
    }

    private java.util.function.Function<dev.edgeagent.protocol.UpdateAgentOrder, CommandResult> agentUpdates;
    private Runnable restartIntoUpdate;

    /**
     * Who carries out {@code update-agent} (installs and switches; loaded when an order comes) and what ends this agent
     * once the order is answered, so the launcher starts the new release.
     */
    public void updateAgentWith(java.util.function.Function<dev.edgeagent.protocol.UpdateAgentOrder, CommandResult> updates,
            Runnable restart) {
        this.agentUpdates = updates;
        this.restartIntoUpdate = restart;
    }

    public static boolean isReadOnly(String command) {
        return Commands.READ_ONLY.contains(command);
    }

    /** Runs one command from MQTT to its end and answers it on the order's response topic. Never throws. */
    public void dispatch(String name, byte[] payload, ReplyTo replyTo) {
        java.util.function.Consumer<byte[]> answer = answerOn(name, replyTo);
        if (replyTo.refused().isPresent() && !isRetained(name)) {
            // Answered where the device always may publish; not carried out, as the sender would never see its reply.
            reject(unverifiedId(payload), answer::accept, ErrorCode.BAD_REQUEST, replyTo.refused().get());
            return;
        }
        dispatch(name, payload, answer, gate, "mqtt");
    }

    private java.util.function.Consumer<byte[]> answerOn(String name, ReplyTo replyTo) {
        return reply -> {
            try {
                channel.reply(replyTo, reply);
            } catch (RuntimeException e) {
                Logger.error(e, "the reply to {} could not be published", name);
            }
        };
    }

    /**
     * Refuses what arrived over its kind's limit from its size alone (a reply, or an event for a retained document):
     * the channel lets go of such bytes as they arrive, so a flood of large payloads never waits in the heap.
     */
    public void refuseTooLarge(String name, int size, ReplyTo replyTo) {
        java.util.function.Consumer<byte[]> answer = answerOn(name, replyTo);
        tooLarge(name, size, answer::accept);
    }

    /** Refuses an order that came while {@code waiting} bytes of others had yet to run: the agent holds no more. */
    public void refuseBusy(String name, int size, long waiting, ReplyTo replyTo) {
        java.util.function.Consumer<byte[]> answer = answerOn(name, replyTo);
        reject(Optional.empty(), answer::accept, ErrorCode.BUSY, "the agent has " + waiting + " bytes of orders waiting to run; this "
                + size + "-byte " + name + " order was not read: send it again once the others are answered");
    }

    /**
     * Runs one command from the root-only local socket, where orders need no signature, and hands over its reply. The
     * socket parsed the order with its request; it is not parsed again.
     */
    public void dispatchLocal(String name, Map<String, Object> order, java.util.function.Consumer<byte[]> answer) {
        dispatch(name, dev.edgeagent.protocol.wire.Json.compact(order), answer,
                (command, payload, maxBytes) -> new OrderGate.Opened(payload, order, Optional.empty()), "local");
    }

    private void dispatch(String name, byte[] wire, java.util.function.Consumer<byte[]> answer, OrderGate orderGate, String via) {
        Answer replyTo = answer::accept;
        byte[] payload = wire;
        Map<String, Object> fields = null; // the order as parsed by the gate: the one parse it gets
        try {
            if (tooLarge(name, wire.length, replyTo)) {
                return;
            }
            if (isRetained(name) && wire.length == 0) {
                // An operator cleared the retained message; what this device accepted stays in force.
                Logger.info("retained {} document cleared on the broker; the accepted one stays in force", name.substring(1));
                return;
            }
            if (TRUST.equals(name)) {
                rotateTrust(wire);
                return;
            }
            if (POLICY.equals(name)) {
                policy.accept(wire);
                channel.status(status.document());
                return;
            }
            OrderGate.Opened opened;
            try {
                opened = orderGate.open(name, wire, limits.limitFor(name));
            } catch (TrustFailure e) {
                if (DESIRED.equals(name)) {
                    Logger.warn("desired state refused: {} {}", e.code(), e.getMessage());
                    event(new OperationId("desired"), "-", "desired.refused", Map.of("code", e.code().name(), "message", e.getMessage()));
                } else {
                    reject(unverifiedId(wire), replyTo, e.code(), e.getMessage());
                }
                return;
            }
            payload = opened.order();
            fields = opened.fields();
            if (DESIRED.equals(name)) {
                java.util.List<String> signedBy = signers(opened);
                reconciler.received(payload, opened.fields(), opened.signed().map(v -> v.statement().issuedAt()),
                        (type, details) -> {
                            event(new OperationId("desired"), "-", type, details);
                            auditDesired(type, details, signedBy, via);
                        });
                channel.status(status.document());
                return;
            }
            if (Commands.DEPLOY.equals(name)) {
                Decoded<DeployOrder> d = DeployOrderJson.decode(opened.fields());
                if (d instanceof Decoded.Rejected<DeployOrder> r) {
                    reject(r.id(), replyTo, r.code(), r.message());
                } else if (!replayed(d.id().orElseThrow(), replyTo) && sequenceAdmitted(opened, d.id().orElseThrow(), replyTo)) {
                    DeployOrder order = ((Decoded.Ok<DeployOrder>) d).value();
                    finish(order.id(), Commands.DEPLOY, deploy(order), replyTo, signers(opened), via);
                }
                return;
            }
            if (Commands.AUDIT.equals(name)) {
                replyTo.send(auditRead(opened.fields()));
                return;
            }
            if (Commands.UPDATE_AGENT.equals(name)) {
                updateAgent(opened, replyTo, via);
                return;
            }
            if (!Commands.FIELDS.containsKey(name)) {
                reject(OrderPayload.idOf(opened.fields()), replyTo, ErrorCode.UNKNOWN_COMMAND,
                        "unknown command '" + name + "' (this agent knows: " + String.join(", ", Commands.ALL) + ")");
                return;
            }
            Decoded<AppOrder> d = AppOrderJson.decode(name, opened.fields());
            if (d instanceof Decoded.Rejected<AppOrder> r) {
                reject(r.id(), replyTo, r.code(), r.message());
                return;
            }
            AppOrder order = ((Decoded.Ok<AppOrder>) d).value();
            if (isReadOnly(name)) {
                CommandResult result = apps.run(name, order);
                replyTo.send(Messages.reply(order.id(), result));
            } else if (!replayed(order.id(), replyTo) && sequenceAdmitted(opened, order.id(), replyTo)) {
                Logger.info("op={} {} {}", order.id(), name, order.app().map(Object::toString).orElse(""));
                finish(order.id(), name, apps.run(name, order), replyTo, signers(opened), via);
            }
        } catch (RuntimeException e) {
            Logger.error(e, "command {} failed unexpectedly", name);
            Optional<OperationId> id = fields != null ? OrderPayload.idOf(fields) : DeployOrderJson.peekId(payload, maxOrderBytes);
            replyTo.send(Messages.error(id, ErrorCode.INTERNAL, "internal error: " + e));
        }
    }

    private void updateAgent(OrderGate.Opened opened, Answer replyTo, String via) {
        Decoded<dev.edgeagent.protocol.UpdateAgentOrder> d = dev.edgeagent.protocol.wire.UpdateAgentOrderJson.decode(opened.fields());
        if (d instanceof Decoded.Rejected<dev.edgeagent.protocol.UpdateAgentOrder> r) {
            reject(r.id(), replyTo, r.code(), r.message());
            return;
        }
        dev.edgeagent.protocol.UpdateAgentOrder order = ((Decoded.Ok<dev.edgeagent.protocol.UpdateAgentOrder>) d).value();
        if (replayed(order.id(), replyTo) || !sequenceAdmitted(opened, order.id(), replyTo)) {
            return;
        }
        Logger.info("op={} update-agent {} from {}", order.id(), order.version(), order.artifact());
        CommandResult result = agentUpdates == null
                ? CommandResult.error(ErrorCode.NOT_PERMITTED, "this agent does not update itself here")
                : agentUpdates.apply(order);
        if (!result.ok()) {
            event(order.id(), "-", "agent.update.refused", Map.of("code", result.code().name(), "message", result.message()));
        }
        finish(order.id(), Commands.UPDATE_AGENT, result, replyTo, signers(opened), via);
        if (result.ok() && result.result().containsKey(dev.edgeagent.agent.selfupdate.AgentUpdate.INSTALLING)) {
            restartIntoUpdate.run(); // answered and on record: a redelivery is answered from the order log
        }
    }

    /** Refuses what is larger than its kind may be, before a byte of it is parsed. */
    private boolean tooLarge(String name, int size, Answer replyTo) {
        if (!limits.exceeded(name, size)) {
            return false;
        }
        int limit = limits.limitFor(name);
        String kind = DESIRED.equals(name) ? "desired-state document" : TRUST.equals(name) ? "trust document"
                : POLICY.equals(name) ? "policy" : "order";
        String message = kind + " is " + size + " bytes; the limit is " + limit + "; it was not read";
        if (isRetained(name)) {
            Logger.warn("{} refused: {}", kind, message);
            event(new OperationId(name.substring(1)), "-", name.substring(1) + ".refused",
                    Map.of("code", ErrorCode.PAYLOAD_TOO_LARGE.name(), "message", message));
        } else {
            reject(Optional.empty(), replyTo, ErrorCode.PAYLOAD_TOO_LARGE, message);
        }
        return true;
    }

    /**
     * A changing order's sequence number must be new for its key. Checked after the order log, so an order done
     * before is answered from the record; recorded before the order runs, so a crash cannot open a replay window.
     */
    private boolean sequenceAdmitted(OrderGate.Opened opened, OperationId id, Answer replyTo) {
        if (opened.signed().isEmpty() || sequences.isEmpty()) {
            return true;
        }
        SignedOrder.Verified v = opened.signed().get();
        try {
            sequences.get().admit(v.signers(), v.statement().sequence(), id);
            return true;
        } catch (TrustFailure e) {
            reject(Optional.of(id), replyTo, e.code(), e.getMessage());
            return false;
        }
    }

    /**
     * The order id of a refused order, read without trusting it, only so the sender can match the refusal: from a
     * bare order, or from the order inside an envelope.
     */
    private Optional<OperationId> unverifiedId(byte[] wire) {
        Optional<OperationId> bare = DeployOrderJson.peekId(wire, maxOrderBytes);
        if (bare.isPresent()) {
            return bare;
        }
        try {
            Object order = dev.edgeagent.protocol.wire.Json.object(dev.edgeagent.security.sign.Envelope.parse(wire).payload()).get("order");
            return order instanceof Map<?, ?> m && m.get("id") instanceof String id ? Optional.of(new OperationId(id)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void rotateTrust(byte[] envelope) {
        OperationId op = new OperationId("trust");
        if (trust.isEmpty()) {
            Logger.warn("a trust document arrived, but this lab agent runs without trust (allowUnsigned); ignored");
            event(op, "-", "trust.refused", Map.of("code", ErrorCode.NOT_PERMITTED.name(),
                    "message", "this agent runs with allowUnsigned and takes no trust documents over MQTT; provision one in its config"));
            return;
        }
        try {
            TrustStore.Outcome outcome = trust.get().rotate(envelope);
            if (outcome == TrustStore.Outcome.ACCEPTED) {
                long v = trust.get().current().version();
                Logger.info("op=trust trust document v{} accepted", v);
                audit.record("trust", Optional.of("trust-v" + v), java.util.List.of(), "ACCEPTED", "mqtt", Map.of("version", v));
                event(op, "-", "trust.accepted", Map.of("version", v));
                channel.status(status.document());
            }
        } catch (TrustFailure e) {
            Logger.warn("op=trust trust document refused: {} {}", e.code(), e.getMessage());
            event(op, "-", "trust.refused", Map.of("code", e.code().name(), "message", e.getMessage()));
        }
    }

    /** A desired state's acceptance, refusal (after its signature held) and how applying it ended. */
    private void auditDesired(String type, Map<String, Object> details, java.util.List<String> signedBy, String via) {
        String outcome = switch (type) {
            case "desired.accepted" -> "ACCEPTED";
            case "desired.applied" -> "APPLIED";
            case "desired.failed" -> "FAILED";
            case "desired.refused" -> String.valueOf(details.getOrDefault("code", "REFUSED"));
            default -> null;
        };
        if (outcome != null) {
            Object version = details.get("version");
            audit.record("desired", Optional.ofNullable(version).map(v -> "desired-v" + v), signedBy, outcome, via,
                    version == null ? Map.of() : Map.of("version", version));
        }
    }

    /** The read-only {@code audit} order: {@code {id, since?, limit?}}; the entries and the trail's head. */
    private byte[] auditRead(Map<String, Object> fields) {
        Optional<OperationId> id = OrderPayload.idOf(fields);
        try {
            dev.edgeagent.protocol.wire.Fields f = new dev.edgeagent.protocol.wire.Fields(fields, "");
            f.refuseUnknown(java.util.List.of("id", "since", "limit"));
            if (id.isEmpty()) {
                throw new dev.edgeagent.protocol.wire.Fields.WireException("'id' is missing");
            }
            Optional<java.time.Instant> since = f.optionalString("since").map(java.time.Instant::parse);
            long limit = f.optionalLong("limit").orElse(100);
            if (limit < 1 || limit > dev.edgeagent.agent.audit.AuditLog.MAX_READ) {
                throw new dev.edgeagent.protocol.wire.Fields.WireException("'limit' must be 1 to " + dev.edgeagent.agent.audit.AuditLog.MAX_READ);
            }
            if (auditLog == null) {
                return Messages.error(id, ErrorCode.NOT_FOUND, "this agent keeps no audit trail");
            }
            java.util.List<Map<String, Object>> entries = auditLog.read(since, (int) limit);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("entries", entries);
            result.put("head", auditLog.status());
            return Messages.reply(id.get(), CommandResult.ok(entries.size() + " audit entries", result));
        } catch (dev.edgeagent.protocol.wire.Fields.WireException | java.time.format.DateTimeParseException e) {
            return Messages.error(id, ErrorCode.BAD_REQUEST, "audit order: " + e.getMessage());
        } catch (IOException e) {
            return Messages.error(id, ErrorCode.STORAGE_ERROR, "the audit trail could not be read: " + e.getMessage());
        }
    }

    /** Where one order's reply goes. */
    @FunctionalInterface
    private interface Answer {
        void send(byte[] reply);
    }

    private boolean replayed(OperationId id, Answer replyTo) {
        Optional<byte[]> earlier = orders.reply(id);
        if (earlier.isEmpty()) {
            return false;
        }
        Logger.info("op={} seen before: answered from the record, not done again", id);
        replyTo.send(earlier.get());
        return true;
    }

    private void finish(OperationId id, String command, CommandResult result, Answer replyTo, java.util.List<String> signedBy, String via) {
        byte[] reply = Messages.reply(id, result);
        audit.record(command, Optional.of(id.value()), signedBy, result.ok() ? "OK" : result.code().name(), via, Map.of());
        try {
            orders.record(id, reply);
            if (sequences.isPresent()) {
                sequences.get().finished(id); // after the reply is on record: a crash between the two re-answers it
            }
        } catch (IOException e) {
            Logger.warn("op={} could not record the reply to {}: {}", id, command, e.getMessage());
        }
        if (!result.ok()) {
            Logger.warn("op={} {} failed: {} {}", id, command, result.code(), result.message());
            status.recordError(id, result.code(), result.message());
        }
        channel.status(status.document());
        replyTo.send(reply);
    }

    /** A deploy as an order runs it (events, logs), for the reconciler too. */
    public CommandResult deploy(DeployOrder order) {
        OperationId op = order.id();
        String app = order.app().value();
        Logger.info("op={} app={} deploy {} accepted", op, app, order.image());
        event(op, app, "deploy.accepted", Map.of("image", order.image().toString()));
        try {
            AppRecord record = deployer.deploy(order, (type, details) -> {
                Logger.info("op={} app={} {} {}", op, app, type, details);
                event(op, app, type, details);
            });
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("app", app);
            result.put("generation", record.generation());
            result.put("container", record.container().value());
            result.put("manifestDigest", record.manifestDigest().toString());
            result.put("phase", record.phase().name());
            Logger.info("op={} app={} deploy done: generation {}", op, app, record.generation());
            return CommandResult.ok("app " + app + " runs generation " + record.generation(), result);
        } catch (DeployFailure e) {
            Logger.warn("op={} app={} deploy failed: {} {}", op, app, e.code(), e.getMessage());
            event(op, app, "deploy.failed", Map.of("code", e.code().name(), "message", e.getMessage()));
            return CommandResult.error(e.code(), e.getMessage());
        }
    }

    private void reject(Optional<OperationId> id, Answer replyTo, ErrorCode code, String message) {
        Logger.warn("op={} order refused: {} {}", id.map(OperationId::value).orElse("-"), code, message);
        replyTo.send(Messages.error(id, code, message));
    }

    private void event(OperationId op, String app, String type, Map<String, Object> details) {
        channel.event(Messages.event(clock, device.value(), op, app, type, details));
    }
}
