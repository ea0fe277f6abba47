package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.AppName;
import dev.edgeagent.protocol.AppOptions;
import dev.edgeagent.protocol.AppOrder;
import dev.edgeagent.protocol.Commands;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.OperationId;
import dev.edgeagent.protocol.ResourceRequest;
import dev.edgeagent.protocol.RestartMode;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.protocol.wire.AppOrderJson;
import dev.edgeagent.protocol.wire.DeployOrderJson;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.protocol.ImageRef;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.eclipse.paho.mqttv5.common.MqttException;

/** The operator's CLI. Exit codes: 0 done, 1 the device refused or failed, 2 usage, 3 broker or timeout. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    private static final String HELP = """
            usage: edgectl deploy --device ID --app NAME --image REPO@sha256:HEX [--memory 64m] [--pids N] [--cpus 0.5]
                                  [--restart no|on-failure|always] [--id ORDER_ID] [--timeout SECONDS] [--broker URI] [--json]
                                  [--network none|host|bridge] [--net NAME]... [--publish [IP:]HOST:CONTAINER[/udp]]...
                                  [--egress CIDR[:PORT[/tcp|udp]]]...   (bridge: named networks, published ports, allowed egress)
                   edgectl start|stop|restart|inspect --device ID --app NAME [--id ORDER_ID]
                   edgectl remove --device ID --app NAME [--purge]     (--purge: its volumes too)
                   edgectl logs --device ID --app NAME [--tail N]
                   edgectl ps|ping|info --device ID
                   any of the above but deploy with --group NAME instead of --device: every member, one line each
                   edgectl status --device ID
                   edgectl watch --device ID [--app NAME] [--timeout SECONDS]   follow events (pull progress as a bar)
                   edgectl desired set (--device ID | --group NAME) --file STATE.json --version N
                          STATE.json: {"apps": [{"app": …, "image": …@sha256:…, …}, …],
                                       "agent"?: {"artifact": …@sha256:…, "version": "0.2.0"}}; published retained
                   edgectl rollout --group NAME --file STATE.json --version N [--canary 1] [--waves 25,100]
                          [--max-failures 0|10%] [--rollback] [--wave-timeout 300]   in waves, halted by failures
                   edgectl keygen --out PREFIX [--type ecdsa-p256|ed25519|rsa]   PREFIX.key (encrypted), PREFIX.pub
                   edgectl sign-image REPO:TAG|REPO@sha256:HEX --key BUILD.key [--format legacy|bundle] [--insecure]
                          [--ca CA.pem] [--username U]   legacy: sha256-HEX.sig (default, read by every agent);
                          bundle: a Sigstore bundle attached as an OCI referrer, as cosign 3 signs
                   edgectl trust init|rotate|sign|publish|show …   (edgectl trust for its options)
                   edgectl policy publish|check|status …   a signed device profile (edgectl policy for its options)
                   edgectl audit --device ID [--since 2026-12-01T00:00:00Z] [--limit N] [--json]   the device's audit
                          trail (also --local); exit 1 when the device reports its trail was changed
                   edgectl release-agent REPO:TAG --jar edgeagent.jar --version V --key AGENT.key [--insecure] [--ca CA.pem]
                          push an agent release and sign it with the trust document's agent role key; prints REPO@sha256:…
                   edgectl update-agent --device ID --artifact REPO@sha256:HEX --version V [--id ORDER_ID] [--timeout S]
                          the device installs the release, restarts into it, and rolls back if it does not connect
            Orders over the broker are signed with the operator key: --key FILE or $EDGE_KEY, its password in
            $EDGE_KEY_PASSWORD or --password-file (--unsigned only for lab agents configured with allowUnsigned).
            The broker defaults to $EDGE_BROKER, else the settings file, else tcp://127.0.0.1:1883. Settings file:
            $EDGECTL_CONFIG or ~/.config/edgectl/config.json: {"broker", "key", "passwordFile", "socket"}; flags
            and environment variables win over it.
            --local [--socket PATH]: send deploy and the app commands over the agent's root-only Unix socket instead
            (on the device itself, no broker; --device is not needed).
            """;
    private static final List<String> COMMON = List.of("--device", "--group", "--broker", "--timeout", "--socket", "--key", "--password-file");

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs one command line with its output on the given streams; returns the exit code (tests, tools). */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        return new Main(out, err).run(args);
    }

    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(args));
    }

    int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            out.print(HELP);
            return argv.length == 0 ? USAGE : OK;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        try {
            if (List.of("deploy", "status", "watch").contains(argv[0]) && rest.contains("--group")) {
                throw new Args.UsageError(argv[0] + " is for one device; for a group use 'desired set --group' or 'rollout --group'");
            }
            return switch (argv[0]) {
                case "deploy" -> deploy(new Args(rest, concat(COMMON, "--app", "--image", "--memory", "--pids", "--cpus", "--restart",
                        "--id", "--network", "--net", "--publish", "--egress"), List.of("--json", "--local", "--unsigned")));
                case "start", "stop", "restart", "inspect" -> appCommand(argv[0], new Args(rest, concat(COMMON, "--app", "--id"),
                        List.of("--json", "--local", "--unsigned")));
                case "remove" -> appCommand(argv[0], new Args(rest, concat(COMMON, "--app", "--id"),
                        List.of("--json", "--purge", "--local", "--unsigned")));
                case "logs" -> appCommand(argv[0], new Args(rest, concat(COMMON, "--app", "--tail", "--id"), List.of("--json", "--local", "--unsigned")));
                case "ps", "ping", "info" -> appCommand(argv[0].equals("ps") ? Commands.LIST : argv[0],
                        new Args(rest, concat(COMMON, "--id"), List.of("--json", "--local", "--unsigned")));
                case "status" -> status(new Args(rest, COMMON, List.of("--json")));
                case "watch" -> watch(new Args(rest, concat(COMMON, "--app"), List.of("--json")));
                case "desired" -> {
                    if (rest.isEmpty() || !rest.get(0).equals("set")) {
                        throw new Args.UsageError("desired takes 'set'");
                    }
                    yield desiredSet(new Args(rest.subList(1, rest.size()), List.of("--device", "--group", "--file", "--version",
                            "--broker", "--key", "--password-file"), List.of("--unsigned")));
                }
                case "rollout" -> {
                    Args ra = new Args(rest, RolloutCommand.OPTIONS, List.of("--rollback", "--unsigned"));
                    yield RolloutCommand.run(ra, signer(ra), out, err);
                }
                case "keygen" -> KeyCommands.keygen(new Args(rest, List.of("--out", "--type", "--password-file"), List.of()), out);
                case "sign-image" -> {
                    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                        throw new Args.UsageError("sign-image takes the image reference first");
                    }
                    yield SignImageCommand.run(rest.get(0), new Args(rest.subList(1, rest.size()),
                            List.of("--key", "--password-file", "--ca", "--username", "--format"), List.of("--insecure")), out, err);
                }
                case "policy" -> {
                    if (rest.isEmpty() || rest.get(0).equals("--help")) {
                        out.println(PolicyCommands.USAGE);
                        yield rest.isEmpty() ? USAGE : OK;
                    }
                    yield new PolicyCommands(out, err).run(rest);
                }
                case "audit" -> audit(new Args(rest, concat(COMMON, "--since", "--limit", "--id"), List.of("--json", "--local", "--unsigned")));
                case "release-agent" -> {
                    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                        throw new Args.UsageError("release-agent takes the repository and tag first (REPO:TAG)");
                    }
                    yield AgentReleaseCommands.release(rest.get(0), new Args(rest.subList(1, rest.size()),
                            List.of("--jar", "--version", "--key", "--password-file", "--ca", "--username"), List.of("--insecure")), out, err);
                }
                case "update-agent" -> updateAgent(new Args(rest, concat(COMMON, "--artifact", "--version", "--id"),
                        List.of("--json", "--unsigned")));
                case "trust" -> {
                    if (rest.isEmpty() || rest.get(0).equals("--help")) {
                        out.println(TrustCommands.USAGE);
                        yield rest.isEmpty() ? USAGE : OK;
                    }
                    yield new TrustCommands(out).run(rest);
                }
                default -> throw new Args.UsageError("unknown command '" + argv[0] + "'");
            };
        } catch (Args.UsageError | IllegalArgumentException e) {
            // the one line that matters; the whole usage only when asked for (--help)
            err.println("edgectl: " + e.getMessage() + " (edgectl --help shows the usage)");
            return USAGE;
        } catch (MqttException e) {
            err.println("edgectl: cannot talk to the broker: " + e.getMessage());
            return UNREACHABLE;
        } catch (Unreachable e) {
            err.println("edgectl: " + e.getMessage());
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNREACHABLE;
        }
    }

    private int deploy(Args a) throws Args.UsageError, MqttException, InterruptedException, Unreachable {
        DeviceId device = a.flag("--local") ? new DeviceId("local") : new DeviceId(a.require("--device"));
        ImageRef image = ImageRef.parse(a.require("--image"));
        OptionalLong memory = a.get("--memory").map(m -> OptionalLong.of(ByteSize.parse(m))).orElse(OptionalLong.empty());
        OptionalLong pids = a.get("--pids").map(p -> OptionalLong.of(Long.parseLong(p))).orElse(OptionalLong.empty());
        OptionalLong cpus = a.get("--cpus").map(c -> OptionalLong.of(Math.round(Double.parseDouble(c) * 1000))).orElse(OptionalLong.empty());
        RestartMode restart = a.get("--restart").map(RestartMode::parse).orElse(DeployOrder.DEFAULT_RESTART);
        OperationId id = a.get("--id").map(OperationId::new).orElseGet(OperationId::random);
        DeployOrder order = new DeployOrder(id, new AppName(a.require("--app")), image, new ResourceRequest(memory, pids, cpus), restart,
                new AppOptions(java.util.Set.of(), List.of(), network(a), List.of(), java.util.Optional.empty(), 0,
                        java.util.Optional.empty(), dev.edgeagent.protocol.UpdateStrategy.STOP_THEN_START));
        if (a.flag("--local")) {
            return printReply(Commands.DEPLOY, local(a, Commands.DEPLOY, DeployOrderJson.encode(order)), a.flag("--json"));
        }
        Topics topics = new Topics(device);
        long deadline = System.currentTimeMillis() + timeoutMillis(a, 300);
        byte[] wire = signer(a).wrap(device.value(), Commands.DEPLOY, DeployOrderJson.encode(order), OrderSigner.ORDER_VALIDITY);
        try (BrokerSession session = new BrokerSession(broker(a))) {
            session.subscribe(topics.events());
            session.sendOrder(device, Commands.DEPLOY, wire, id.value());
            if (!a.flag("--json")) {
                out.println("order " + id + " sent to " + device + ": deploy " + order.app() + " = " + image);
            }
            while (true) {
                BrokerSession.Received r = session.next(deadline - System.currentTimeMillis());
                if (r == null) {
                    err.println("edgectl: no reply from " + device + " within the timeout (is its agent running?)");
                    return UNREACHABLE;
                }
                Map<String, Object> msg = parse(r.message().getPayload());
                if (r.topic().equals(topics.events())) {
                    if (id.value().equals(msg.get("op")) && !a.flag("--json")) {
                        out.println("  " + EventView.line(msg));
                    }
                    continue;
                }
                if (id.value().equals(msg.get("id"))) {
                    return printReply(Commands.DEPLOY, r.message().getPayload(), a.flag("--json"));
                }
            }
        }
    }

    /**
     * {@code --network none|host|bridge}; for bridge, {@code --net NAME}, {@code --publish [IP:]HOST:CONTAINER[/udp]}
     * and {@code --egress CIDR[:PORT[/PROTO]]}, each as often as needed. --net, --publish or --egress alone mean bridge.
     */
    static dev.edgeagent.protocol.AppNetwork network(Args a) throws Args.UsageError {
        boolean bridgeParts = !a.all("--net").isEmpty() || !a.all("--publish").isEmpty() || !a.all("--egress").isEmpty();
        try {
            dev.edgeagent.protocol.NetworkMode mode = dev.edgeagent.protocol.NetworkMode.parse(a.get("--network")
                    .orElse(bridgeParts ? "bridge" : "none"));
            return new dev.edgeagent.protocol.AppNetwork(mode, a.all("--net"),
                    a.all("--publish").stream().map(dev.edgeagent.protocol.PortMapping::parse).toList(), a.all("--egress"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageError(e.getMessage());
        }
    }

    /** Any command but deploy: one order, one reply; the reply decides the exit code. */
    private int appCommand(String command, Args a) throws Args.UsageError, MqttException, InterruptedException, Unreachable {
        OperationId id = a.get("--id").map(OperationId::new).orElseGet(OperationId::random);
        List<String> fields = Commands.FIELDS.get(command);
        Optional<AppName> app = fields.contains("app") ? Optional.of(new AppName(a.require("--app"))) : Optional.empty();
        OptionalInt tail = a.get("--tail").map(t -> OptionalInt.of(Integer.parseInt(t))).orElse(OptionalInt.empty());
        AppOrder order = new AppOrder(id, app, tail, a.flag("--purge"));
        if (a.flag("--local")) {
            return printReply(command, local(a, command, AppOrderJson.encode(order)), a.flag("--json"));
        }
        if (a.get("--group").isPresent()) {
            if (a.get("--device").isPresent()) {
                throw new Args.UsageError("give --device or --group, not both");
            }
            return GroupCommand.run(command, a.get("--group").get(), order, signer(a), broker(a), timeoutMillis(a, 30), a.flag("--json"), out, err);
        }
        DeviceId device = new DeviceId(a.require("--device"));
        long deadline = System.currentTimeMillis() + timeoutMillis(a, 30);
        byte[] wire = signer(a).wrap(device.value(), command, AppOrderJson.encode(order), OrderSigner.ORDER_VALIDITY);
        try (BrokerSession session = new BrokerSession(broker(a))) {
            session.sendOrder(device, command, wire, id.value());
            while (true) {
                BrokerSession.Received r = session.next(deadline - System.currentTimeMillis());
                if (r == null) {
                    err.println("edgectl: no reply from " + device + " within the timeout (is its agent running?)");
                    return UNREACHABLE;
                }
                if (id.value().equals(parse(r.message().getPayload()).get("id"))) {
                    return printReply(command, r.message().getPayload(), a.flag("--json"));
                }
            }
        }
    }

    /** The read-only audit order: the device's trail from {@code --since}, at most {@code --limit} entries. */
    private int audit(Args a) throws Args.UsageError, MqttException, InterruptedException, Unreachable {
        OperationId id = a.get("--id").map(OperationId::new).orElseGet(OperationId::random);
        Map<String, Object> order = new java.util.LinkedHashMap<>();
        order.put("id", id.value());
        if (a.get("--since").isPresent()) {
            try {
                order.put("since", java.time.Instant.parse(a.get("--since").get()).toString());
            } catch (java.time.format.DateTimeParseException e) {
                throw new Args.UsageError("--since must be an instant such as 2026-12-01T00:00:00Z");
            }
        }
        a.get("--limit").ifPresent(l -> order.put("limit", Long.parseLong(l)));
        byte[] payload = Json.compact(order);
        byte[] reply;
        if (a.flag("--local")) {
            reply = local(a, Commands.AUDIT, payload);
        } else {
            DeviceId device = new DeviceId(a.require("--device"));
            long deadline = System.currentTimeMillis() + timeoutMillis(a, 30);
            byte[] wire = signer(a).wrap(device.value(), Commands.AUDIT, payload, OrderSigner.ORDER_VALIDITY);
            try (BrokerSession session = new BrokerSession(broker(a))) {
                session.sendOrder(device, Commands.AUDIT, wire, id.value());
                while (true) {
                    BrokerSession.Received r = session.next(deadline - System.currentTimeMillis());
                    if (r == null) {
                        err.println("edgectl: no reply from " + device + " within the timeout (is its agent running?)");
                        return UNREACHABLE;
                    }
                    if (id.value().equals(parse(r.message().getPayload()).get("id"))) {
                        reply = r.message().getPayload();
                        break;
                    }
                }
            }
        }
        Map<String, Object> msg = parse(reply);
        if (!Boolean.TRUE.equals(msg.get("ok"))) {
            return printReply(Commands.AUDIT, reply, a.flag("--json"));
        }
        Map<?, ?> result = (Map<?, ?>) msg.get("result");
        Map<?, ?> head = result.get("head") instanceof Map<?, ?> h ? h : Map.of();
        boolean intact = Boolean.TRUE.equals(head.get("intact"));
        if (a.flag("--json")) {
            out.println(new String(reply, StandardCharsets.UTF_8));
        } else {
            for (Object o : (List<?>) result.get("entries")) {
                Map<?, ?> e = (Map<?, ?>) o;
                List<?> signers = e.get("signers") instanceof List<?> l ? l : List.of();
                out.printf("%6s %s %-22s %-28s %-16s %-6s %s%n", e.get("seq"), e.get("time"), e.get("command"),
                        e.get("id") == null ? "-" : e.get("id"), e.get("outcome"), e.get("via"),
                        signers.stream().map(s -> String.valueOf(s).substring(0, Math.min(12, String.valueOf(s).length()))).toList()
                                + (e.get("detail") != null ? " " + e.get("detail") : ""));
            }
            out.println("head: entry " + head.get("sequence") + " " + head.get("head") + (intact ? " (the trail verified at the agent's start)"
                    : " — THE TRAIL WAS CHANGED: " + head.get("problem")));
        }
        return intact ? OK : FAILED;
    }

    /** {@code update-agent}: one signed order to one device; the reply says the release installs (the agent restarts). */
    private int updateAgent(Args a) throws Args.UsageError, MqttException, InterruptedException {
        DeviceId device = new DeviceId(a.require("--device"));
        OperationId id = a.get("--id").map(OperationId::new).orElseGet(OperationId::random);
        dev.edgeagent.protocol.UpdateAgentOrder order = new dev.edgeagent.protocol.UpdateAgentOrder(id,
                ImageRef.parse(a.require("--artifact")), dev.edgeagent.protocol.AgentVersion.parse(a.require("--version")));
        long deadline = System.currentTimeMillis() + timeoutMillis(a, 300);
        byte[] wire = signer(a).wrap(device.value(), Commands.UPDATE_AGENT, dev.edgeagent.protocol.wire.UpdateAgentOrderJson.encode(order),
                OrderSigner.ORDER_VALIDITY);
        try (BrokerSession session = new BrokerSession(broker(a))) {
            session.sendOrder(device, Commands.UPDATE_AGENT, wire, id.value());
            while (true) {
                BrokerSession.Received r = session.next(deadline - System.currentTimeMillis());
                if (r == null) {
                    err.println("edgectl: no reply from " + device + " within the timeout (is its agent running?)");
                    return UNREACHABLE;
                }
                if (id.value().equals(parse(r.message().getPayload()).get("id"))) {
                    return printReply(Commands.UPDATE_AGENT, r.message().getPayload(), a.flag("--json"));
                }
            }
        }
    }

    /** Publishes a desired state, retained, for a device or a group; each device checks and applies it itself. */
    private int desiredSet(Args a) throws Args.UsageError, MqttException {
        Optional<String> device = a.get("--device");
        Optional<String> group = a.get("--group");
        if (device.isPresent() == group.isPresent()) {
            throw new Args.UsageError("give exactly one of --device and --group");
        }
        long version = Long.parseLong(a.require("--version"));
        Map<String, Object> doc;
        try {
            doc = new java.util.LinkedHashMap<>(Json.object(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(a.require("--file")))));
        } catch (IOException e) {
            throw new Args.UsageError("cannot read " + a.require("--file") + ": " + e.getMessage());
        }
        String target = device.map(d -> new DeviceId(d).value()).orElseGet(() -> "group:" + group.get());
        doc.put("version", version);
        doc.put("target", target);
        String topic = device.isPresent() ? new Topics(new DeviceId(device.get())).desired() : Topics.groupDesired(group.get());
        byte[] payload = Json.compact(doc);
        // Checked here as the device will check it, so a typo fails at the operator's desk, not in the field.
        var check = dev.edgeagent.protocol.wire.DesiredStateJson.decode(payload, 1 << 20, java.util.Set.of(target));
        if (check instanceof dev.edgeagent.protocol.Decoded.Rejected<?> r) {
            err.println("edgectl: refused before sending [" + r.code() + "]: " + r.message());
            return FAILED;
        }
        OrderSigner signer = signer(a); // a missing key fails before the broker is contacted
        try (BrokerSession session = new BrokerSession(broker(a))) {
            signer.sign(session, topic, target, doc);
        }
        out.println("desired state v" + version + " published (retained) for " + target);
        return OK;
    }

    /** The agent could not be reached over its local socket. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private byte[] local(Args a, String command, byte[] order) throws Unreachable {
        java.nio.file.Path socket;
        try {
            socket = a.get("--socket").or(() -> settingsOrNone().socket()).map(java.nio.file.Path::of).orElse(LocalSocket.DEFAULT);
        } catch (RuntimeException e) {
            throw new Unreachable(e.getMessage());
        }
        try {
            return LocalSocket.send(socket, command, order);
        } catch (IOException e) {
            throw new Unreachable("cannot reach the agent's local socket " + socket + " (" + e.getMessage()
                    + "); it is root-only and exists while the agent runs");
        }
    }

    private int printReply(String command, byte[] payload, boolean json) {
        Map<String, Object> msg = parse(payload);
        boolean ok = Boolean.TRUE.equals(msg.get("ok"));
        if (json) {
            out.println(new String(payload, StandardCharsets.UTF_8));
        } else if (!ok) {
            err.println("failed [" + msg.get("code") + "]: " + msg.get("message"));
        } else {
            out.print(ReplyView.render(command, msg));
        }
        return ok ? OK : FAILED;
    }

    /** Follows a device's events until the timeout (or Ctrl-C); on a terminal, pull progress redraws one bar. */
    private int watch(Args a) throws Args.UsageError, MqttException, InterruptedException {
        DeviceId device = new DeviceId(a.require("--device"));
        Optional<String> app = a.get("--app");
        long deadline = a.get("--timeout").isPresent() ? System.currentTimeMillis() + timeoutMillis(a, 1) : Long.MAX_VALUE;
        boolean terminal = System.console() != null && !a.flag("--json");
        try (BrokerSession session = new BrokerSession(broker(a))) {
            session.subscribe(new Topics(device).events());
            boolean onBar = false;
            while (System.currentTimeMillis() < deadline) {
                BrokerSession.Received r = session.next(Math.min(1000, deadline - System.currentTimeMillis()));
                if (r == null) {
                    continue;
                }
                Map<String, Object> e = parse(r.message().getPayload());
                if (app.isPresent() && !app.get().equals(e.get("app"))) {
                    continue;
                }
                if (a.flag("--json")) {
                    out.println(new String(r.message().getPayload(), StandardCharsets.UTF_8));
                    continue;
                }
                boolean progress = "pull.progress".equals(e.get("type"));
                if (terminal && progress) {
                    out.print("\r" + EventView.line(e));
                    onBar = true;
                } else {
                    out.println((onBar ? "\n" : "") + EventView.line(e));
                    onBar = false;
                }
                out.flush();
            }
        }
        return OK;
    }

    private int status(Args a) throws Args.UsageError, MqttException, InterruptedException {
        DeviceId device = new DeviceId(a.require("--device"));
        Topics topics = new Topics(device);
        try (BrokerSession session = new BrokerSession(broker(a))) {
            session.subscribe(topics.status());
            BrokerSession.Received r = session.next(timeoutMillis(a, 5));
            if (r == null) {
                err.println("edgectl: no status retained for device " + device + " (has its agent ever connected?)");
                return FAILED;
            }
            if (a.flag("--json")) {
                out.println(new String(r.message().getPayload(), StandardCharsets.UTF_8));
                return OK;
            }
            out.print(StatusView.render(parse(r.message().getPayload())));
            return OK;
        }
    }

    private static Map<String, Object> parse(byte[] payload) {
        try {
            return Json.object(payload);
        } catch (IOException e) {
            return Map.of("unreadable", new String(payload, StandardCharsets.UTF_8));
        }
    }

    private static OrderSigner signer(Args a) throws Args.UsageError {
        return new OrderSigner(OperatorKey.forOrders(a), java.time.Clock.systemUTC());
    }

    /** --broker, else $EDGE_BROKER, else the settings file, else the local default. */
    static String broker(Args a) throws Args.UsageError {
        if (a.get("--broker").isPresent()) {
            return a.get("--broker").get();
        }
        String env = System.getenv("EDGE_BROKER");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return Settings.active().broker().orElse("tcp://127.0.0.1:1883");
    }

    private static Settings settingsOrNone() {
        try {
            return Settings.active();
        } catch (Args.UsageError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static long timeoutMillis(Args a, long defaultSeconds) {
        long seconds = a.get("--timeout").map(Long::parseLong).orElse(defaultSeconds);
        if (seconds <= 0) {
            throw new IllegalArgumentException("--timeout must be a positive number of seconds");
        }
        return seconds * 1000;
    }

    private static List<String> concat(List<String> base, String... more) {
        return java.util.stream.Stream.concat(base.stream(), Arrays.stream(more)).toList();
    }
}
