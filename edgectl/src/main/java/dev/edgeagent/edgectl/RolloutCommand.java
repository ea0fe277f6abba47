package dev.edgeagent.edgectl;

import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.Topics;
import dev.edgeagent.protocol.wire.DesiredStateJson;
import dev.edgeagent.protocol.wire.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * {@code edgectl rollout --group G --file STATE.json --version N [--canary 1] [--waves 25,100] [--max-failures 0]
 * [--rollback] [--wave-timeout 300]}: a desired state to a group in waves, halted by failures.
 */
final class RolloutCommand {
    static final List<String> OPTIONS = List.of("--group", "--file", "--version", "--canary", "--waves", "--max-failures",
            "--wave-timeout", "--broker", "--key", "--password-file", "--discover-ms");

    private RolloutCommand() {}

    @SuppressWarnings("unchecked")
    static int run(Args a, OrderSigner signer, PrintStream out, PrintStream err) throws Args.UsageError, MqttException, InterruptedException {
        String group = a.require("--group");
        long version = Long.parseLong(a.require("--version"));
        List<Object> apps;
        try {
            Map<String, Object> doc = Json.object(Files.readAllBytes(Path.of(a.require("--file"))));
            apps = doc.get("apps") instanceof List<?> l ? (List<Object>) l : List.of();
        } catch (IOException e) {
            throw new Args.UsageError("cannot read " + a.require("--file") + ": " + e.getMessage());
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("version", version);
        check.put("target", "group:" + group);
        check.put("apps", apps);
        if (DesiredStateJson.decode(Json.compact(check), 1 << 20, Set.of("group:" + group)) instanceof Decoded.Rejected<?> r) {
            err.println("edgectl: refused before sending [" + r.code() + "]: " + r.message());
            return Main.FAILED;
        }
        List<Integer> percents = new ArrayList<>();
        for (String p : a.get("--waves").orElse("25,100").split(",")) {
            percents.add(Integer.parseInt(p.strip()));
        }
        RolloutPlan.FailureBudget budget = RolloutPlan.FailureBudget.parse(a.get("--max-failures").orElse("0"));
        long waveTimeout = Long.parseLong(a.get("--wave-timeout").orElse("300")) * 1000;

        try (BrokerSession session = new BrokerSession(Main.broker(a))) {
            Rollout rollout = new Rollout(session, signer, out);
            List<String> members = rollout.discover(group, Long.parseLong(a.get("--discover-ms").orElse("1500")));
            RolloutPlan plan = RolloutPlan.of(members, Integer.parseInt(a.get("--canary").orElse("1")), percents, budget);
            out.println("rollout of version " + version + " to group " + group + ": " + members.size() + " devices in "
                    + plan.waves().size() + " waves " + plan.waves().stream().map(List::size).toList());
            List<String> done = new ArrayList<>();
            for (int i = 0; i < plan.waves().size(); i++) {
                List<String> wave = plan.waves().get(i);
                out.println("  wave " + (i + 1) + "/" + plan.waves().size() + (i == 0 && a.get("--canary").orElse("1").equals("0") ? "" : i == 0 ? " (canary)" : "")
                        + ": " + wave.size() + " device(s)");
                List<Rollout.Outcome> outcomes = rollout.apply(wave, version, d -> apps, waveTimeout);
                done.addAll(wave);
                long failed = outcomes.stream().filter(o -> !o.ok()).count();
                out.println("  wave " + (i + 1) + ": " + (wave.size() - failed) + " ok, " + failed + " failed");
                if (budget.exceeded((int) failed, wave.size())) {
                    out.println("HALTED: " + failed + " failure(s) in wave " + (i + 1) + " exceed --max-failures "
                            + a.get("--max-failures").orElse("0") + "; " + (members.size() - done.size()) + " device(s) not touched");
                    if (a.flag("--rollback")) {
                        rollBack(rollout, done, version + 1, waveTimeout, out);
                    }
                    return Main.FAILED;
                }
            }
            signer.sign(session, Topics.groupDesired(group), "group:" + group, check);
            out.println("rollout done: " + members.size() + " devices run version " + version
                    + "; the group's own topic has it too, for devices that join later");
            return Main.OK;
        }
    }

    private static void rollBack(Rollout rollout, List<String> done, long version, long timeoutMillis, PrintStream out)
            throws MqttException, InterruptedException {
        out.println("  rolling back " + done.size() + " device(s): their previous apps, as version " + version
                + " (versions only grow; the next rollout needs a higher one)");
        List<Rollout.Outcome> outcomes = rollout.apply(done, version, rollout::previousApps, timeoutMillis);
        long failed = outcomes.stream().filter(o -> !o.ok()).count();
        out.println("  rollback: " + (done.size() - failed) + " ok, " + failed + " failed");
    }
}
