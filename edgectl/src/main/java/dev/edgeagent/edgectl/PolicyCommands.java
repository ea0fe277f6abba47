package dev.edgeagent.edgectl;

import dev.edgeagent.profiles.AppGrants;
import dev.edgeagent.profiles.DeviceProfile;
import dev.edgeagent.profiles.DeviceProfiles;
import dev.edgeagent.profiles.ResourceLimits;
import dev.edgeagent.protocol.DeviceId;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.sign.SignedPolicy;
import dev.edgeagent.security.sign.SigningKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * {@code edgectl policy publish|check|status}: a security team's device profile, signed with a policy key and
 * published retained for a device or a group; what it would put in violation before it goes out (judged, as a device
 * judges it, from what each member's status says its apps run with); and which policy each member runs.
 */
final class PolicyCommands {
    static final String USAGE = """
            edgectl policy publish --file PROFILE.json --version N (--device ID | --group NAME) --key POLICY.key
                                   [--enforcement report|stop] [--broker URI]   signed by the policy key, published retained
            edgectl policy check PROFILE.json|--file PROFILE.json [--group NAME] [--broker URI]
                                   validates the profile; with --group, names each member's apps it would put in violation
                                   (exit 0: none would; 1: some would)
            edgectl policy status --group NAME [--broker URI] [--json]
                                   each member's policy (name, version) and violations (exit 0 only when all comply)""";

    /** How long the broker's retained statuses are read for. */
    static final long WINDOW_MILLIS = 1500;

    private final PrintStream out;
    private final PrintStream err;

    PolicyCommands(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> argv) throws Args.UsageError, MqttException, InterruptedException {
        List<String> rest = new ArrayList<>(argv.subList(1, argv.size()));
        if (!rest.isEmpty() && !rest.get(0).startsWith("--")) {
            // `policy check FILE`, as `policy check --file FILE`
            rest.add(0, "--file");
        }
        return switch (argv.get(0)) {
            case "publish" -> publish(new Args(rest, List.of("--file", "--version", "--device", "--group", "--key", "--password-file",
                    "--enforcement", "--broker"), List.of()));
            case "check" -> check(new Args(rest, List.of("--file", "--group", "--broker"), List.of()));
            case "status" -> status(new Args(rest, List.of("--group", "--broker"), List.of("--json")));
            default -> throw new Args.UsageError("policy takes publish, check or status, not '" + argv.get(0) + "'");
        };
    }

    /** A profile file read as the device will read it; a usage error (exit 2) names the field that is wrong. */
    static Map<String, Object> readProfile(Path file) throws Args.UsageError {
        try {
            byte[] bytes = Files.readAllBytes(file);
            DeviceProfiles.parse(bytes, file.toString());
            return Json.object(bytes);
        } catch (IOException e) {
            throw new Args.UsageError(e.getMessage().startsWith(file.toString()) ? e.getMessage() : "cannot read " + file + ": " + e.getMessage());
        }
    }

    private int publish(Args a) throws Args.UsageError, MqttException {
        Path file = Path.of(a.require("--file"));
        Map<String, Object> profile = readProfile(file);
        long version;
        try {
            version = Long.parseLong(a.require("--version"));
        } catch (NumberFormatException e) {
            throw new Args.UsageError("--version must be a whole number");
        }
        if (version < 1) {
            throw new Args.UsageError("--version must be 1 or more (0 is the profile a device was provisioned with)");
        }
        Optional<String> device = a.get("--device");
        Optional<String> group = a.get("--group");
        if (device.isPresent() == group.isPresent()) {
            throw new Args.UsageError("give exactly one of --device and --group");
        }
        SignedPolicy.Enforcement enforcement;
        try {
            enforcement = SignedPolicy.Enforcement.fromWire(a.get("--enforcement").orElse("report"));
        } catch (dev.edgeagent.protocol.wire.Fields.WireException e) {
            throw new Args.UsageError("--enforcement: " + e.getMessage());
        }
        SigningKey key = OperatorKey.read(Path.of(a.require("--key")), OperatorKey.password(a));
        String target = device.map(d -> new DeviceId(d).value()).orElseGet(() -> "group:" + group.get());
        String topic = device.map(d -> new Topics(new DeviceId(d)).policy()).orElseGet(() -> Topics.groupPolicy(group.get()));
        byte[] envelope = new SignedPolicy(target, version, Instant.now(), enforcement, profile).signWith(List.of(key)).toJson();
        try (BrokerSession session = new BrokerSession(Main.broker(a))) {
            session.publishRetained(topic, envelope);
        }
        out.println("policy v" + version + " (profile " + profile.get("name") + ", enforcement " + enforcement.wire() + ") signed by "
                + key.id().shortForm() + " and published (retained) on " + topic);
        return Main.OK;
    }

    private int check(Args a) throws Args.UsageError, MqttException, InterruptedException {
        Path file = Path.of(a.require("--file"));
        readProfile(file);
        DeviceProfile profile;
        try {
            profile = DeviceProfiles.parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new Args.UsageError(e.getMessage());
        }
        if (a.get("--group").isEmpty()) {
            out.println(file + ": profile " + profile.name() + " for " + profile.platform() + " is valid");
            return Main.OK;
        }
        String group = a.get("--group").get();
        Map<String, Map<String, Object>> members = members(Main.broker(a), group);
        if (members.isEmpty()) {
            err.println("edgectl: no device reports membership of group " + group + " (none has published status?)");
            return Main.FAILED;
        }
        int wouldViolate = 0;
        int apps = 0;
        for (Map.Entry<String, Map<String, Object>> m : members.entrySet()) {
            Object platform = m.getValue().get("platform");
            if (platform != null && !sameOsAndArch(String.valueOf(platform), profile.platform().toString())) {
                out.printf("%-24s %-16s refused: the profile is for %s, the device is %s%n", m.getKey(), "-", profile.platform(), platform);
                wouldViolate++;
                continue;
            }
            for (Map.Entry<String, Map<String, Object>> app : apps(m.getValue()).entrySet()) {
                apps++;
                List<String> reasons = judge(profile, app.getValue());
                if (!reasons.isEmpty()) {
                    wouldViolate++;
                    out.printf("%-24s %-16s %s%n", m.getKey(), app.getKey(), String.join("; ", reasons));
                }
            }
        }
        out.println(group + ": " + members.size() + " devices, " + apps + " apps; " + (wouldViolate == 0 ? "profile " + profile.name()
                + " would put none in violation" : wouldViolate + " would be in violation of profile " + profile.name()));
        return wouldViolate == 0 ? Main.OK : Main.FAILED;
    }

    private int status(Args a) throws Args.UsageError, MqttException, InterruptedException {
        String group = a.require("--group");
        Map<String, Map<String, Object>> members = members(Main.broker(a), group);
        if (members.isEmpty()) {
            err.println("edgectl: no device reports membership of group " + group + " (none has published status?)");
            return Main.FAILED;
        }
        int failing = 0;
        for (Map.Entry<String, Map<String, Object>> m : members.entrySet()) {
            Object p = m.getValue().get("policy");
            Map<?, ?> policy = p instanceof Map<?, ?> map ? map : Map.of();
            List<?> violations = policy.get("violations") instanceof List<?> l ? l : List.of();
            boolean complies = p != null && violations.isEmpty();
            failing += complies ? 0 : 1;
            if (a.flag("--json")) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("device", m.getKey());
                line.put("policy", p);
                line.put("complies", complies);
                out.println(new String(Json.compact(line)));
                continue;
            }
            String what = p == null ? "reports no policy (an agent older than policies?)"
                    : violations.isEmpty() ? "complies" : violations.size() + " violation(s): " + describe(violations);
            out.printf("%-24s %-20s v%-5s %s%n", m.getKey(), policy.get("name") == null ? "-" : policy.get("name"),
                    policy.get("version") == null ? "?" : policy.get("version"), what);
        }
        if (!a.flag("--json")) {
            out.println(group + ": " + (members.size() - failing) + " of " + members.size() + " comply");
        }
        return failing == 0 ? Main.OK : Main.FAILED;
    }

    private static String describe(List<?> violations) {
        List<String> out = new ArrayList<>();
        for (Object v : violations) {
            if (v instanceof Map<?, ?> m) {
                out.add(m.get("app") + (Boolean.TRUE.equals(m.get("stopped")) ? " (stopped)" : "") + ": " + m.get("reasons"));
            }
        }
        return String.join("; ", out);
    }

    /** What {@code profile} would say about one app as its status shows it (limits and grants). */
    static List<String> judge(DeviceProfile profile, Map<String, Object> app) {
        Map<?, ?> l = app.get("limits") instanceof Map<?, ?> m ? m : Map.of();
        ResourceLimits limits;
        try {
            limits = new ResourceLimits(((Number) l.get("memoryBytes")).longValue(), ((Number) l.get("pids")).longValue(),
                    Math.round(((Number) l.get("cpus")).doubleValue() * 1000));
        } catch (RuntimeException e) {
            return List.of("its status shows no readable limits");
        }
        @SuppressWarnings("unchecked")
        AppGrants grants = app.get("grants") instanceof Map<?, ?> g ? AppGrants.fromMap((Map<String, Object>) g) : AppGrants.NONE;
        return profile.violations(limits, grants);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> apps(Map<String, Object> status) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        if (status.get("apps") instanceof Map<?, ?> apps) {
            apps.forEach((k, v) -> {
                if (v instanceof Map<?, ?> m) {
                    out.put(String.valueOf(k), (Map<String, Object>) m);
                }
            });
        }
        return out;
    }

    private static boolean sameOsAndArch(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }

    /** The retained status of every device that says it follows {@code group}, by device id. */
    static Map<String, Map<String, Object>> members(String broker, String group) throws MqttException, InterruptedException {
        Map<String, Map<String, Object>> members = new TreeMap<>();
        try (BrokerSession session = new BrokerSession(broker)) {
            session.subscribe("edge/+/status");
            long deadline = System.currentTimeMillis() + WINDOW_MILLIS;
            BrokerSession.Received r;
            while (System.currentTimeMillis() < deadline
                    && (r = session.next(Math.min(500, deadline - System.currentTimeMillis()))) != null) {
                String[] parts = r.topic().split("/");
                if (parts.length != 3 || r.message().getPayload().length == 0) {
                    continue;
                }
                try {
                    Map<String, Object> status = Json.object(r.message().getPayload());
                    if (status.get("groups") instanceof List<?> groups && groups.contains(group)) {
                        members.put(parts[1], status);
                    }
                } catch (IOException e) {
                    // a status that is not JSON tells nothing
                }
            }
        }
        return members;
    }
}
