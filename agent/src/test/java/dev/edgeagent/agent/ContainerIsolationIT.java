package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import dev.edgeagent.testkit.TarBuilder;
import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a security team relies on, checked with real runc: escape attempts from inside a default container are
 * refused, a memory hog is OOM-killed and reported so, a fork bomb stops at the pids limit, a crash loop backs off,
 * two apps cannot read each other's files, and a restarted agent re-adopts what runs without starting duplicates.
 */
class ContainerIsolationIT {
    static AgentFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new AgentFixture("isolation");
        f.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void everyEscapeProbeIsRefusedFromInsideADefaultContainer() throws Exception {
        byte[] probe = TestImages.escapeProbe(Files.createDirectories(f.work.resolve("probe")));
        String image = TestImages.push(f, "probe", List.of("/probe/escape", "--stay"),
                new TarBuilder().dir("probe", 0).file("probe/escape", probe, 0, 0755));
        Map<String, Object> reply = f.deploy("op-probe", "probe", image, ",\"restart\":\"no\"");
        assertEquals(true, reply.get("ok"), reply.toString());
        Map<String, String> seen = f.lines("probe", "probe: end", 1);
        List<String> allowed = new ArrayList<>();
        int probes = 0;
        for (Map.Entry<String, String> e : seen.entrySet()) {
            if (e.getValue().startsWith("refused") || e.getValue().equals("ALLOWED")) {
                probes++;
                if (e.getValue().equals("ALLOWED")) {
                    allowed.add(e.getKey());
                }
            }
        }
        assertEquals(List.of(), allowed, "escape steps that were not refused: " + seen);
        assertTrue(probes >= 20, "the probe ran all its steps: " + seen);
        assertTrue(seen.get("keyctl").startsWith("refused"));
        f.discard("probe-1");
    }

    @Test
    void aMemoryHogIsOomKilledAndReportedSo() throws Exception {
        String image = TestImages.push(f, "hog", List.of("/bin/sh", "-c", "echo hog: start; x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"), null);
        Map<String, Object> reply = f.deploy("op-hog", "hog", image, ",\"resources\":{\"memoryBytes\":33554432},\"restart\":\"no\"");
        assertEquals(true, reply.get("ok"), reply.toString());
        Map<String, Object> killed = f.event("hog", "container.oom-killed", 60);
        assertEquals(true, killed.get("oomKilled"), killed.toString());
        Map<String, Object> status = f.status("\"hog\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> hog = (Map<String, Object>) ((Map<String, Object>) status.get("apps")).get("hog");
        assertEquals("EXITED", hog.get("phase"));
        assertEquals(true, ((Map<?, ?>) hog.get("lastExit")).get("oomKilled"), hog.toString());
        assertTrue(!f.containers().contains("hog-1"), "the killed container is cleaned up");
    }

    @Test
    void aForkBombStopsAtThePidsLimit() throws Exception {
        // The forking happens in a subshell, which may die of it; the counting uses builtins only (no fork left).
        String image = TestImages.push(f, "bomb", List.of("/bin/sh", "-c",
                "( i=0; while [ $i -lt 100 ]; do sleep 600 & i=$((i+1)); done ) 2>/dev/null; "
                        + "n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo \"bomb_processes: $n\"; echo 'bomb: done'; "
                        + "exec sleep 600"), null);
        Map<String, Object> reply = f.deploy("op-bomb", "bomb", image, ",\"resources\":{\"pids\":16},\"restart\":\"no\"");
        assertEquals(true, reply.get("ok"), reply.toString());
        Map<String, String> seen = f.lines("bomb", "bomb: done", 1);
        int processes = Integer.parseInt(seen.get("bomb_processes"));
        assertTrue(processes <= 16, "at most 16 processes, saw " + processes);
        Path v1 = Path.of("/sys/fs/cgroup/pids/edgeagent/isolation/bomb-1/pids.current");
        long pids = Long.parseLong(dev.edgeagent.security.fs.KernelFiles.read(Files.exists(v1) ? v1 : Path.of("/sys/fs/cgroup/edgeagent/isolation/bomb-1/pids.current")).strip());
        assertTrue(pids <= 16 && pids >= 10, "the cgroup holds " + pids + " of its 16 pids");
        assertEquals(0, Tools.run(List.of("/bin/true"), 10).exit(), "the host can still fork");
        f.discard("bomb-1");
    }

    @Test
    void aCrashLoopBacksOff() throws Exception {
        String image = TestImages.push(f, "crash", List.of("/bin/sh", "-c", "echo crash: now; exit 3"), null);
        Map<String, Object> reply = f.deploy("op-crash", "crash", image, ",\"restart\":\"on-failure\"");
        assertEquals(true, reply.get("ok"), "an app that crashes is deployed, then supervised: " + reply);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> exited = f.event("crash", "container.exited", 60);
            assertEquals(3, exited.get("exitCode"), exited.toString());
            delays.add(((Number) exited.get("restartInMillis")).longValue());
        }
        assertTrue(delays.get(0) < delays.get(1) && delays.get(1) < delays.get(2), "backoff grows: " + delays + " " + reply);
    }

    @Test
    void twoAppsCannotReadEachOthersFiles() throws Exception {
        String image = TestImages.push(f, "twin", List.of("/bin/sh", "-c", "echo twin: up; sleep 600"), null);
        assertEquals(true, f.deploy("op-a", "alpha", image, ",\"restart\":\"no\"").get("ok"));
        assertEquals(true, f.deploy("op-b", "beta", image, ",\"restart\":\"no\"").get("ok"));
        Map<String, Object> status = f.status("\"beta\"");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> apps = (Map<String, Map<String, Object>>) status.get("apps");
        long alphaRoot = ((Number) ((Map<?, ?>) apps.get("alpha").get("idRange")).get("hostStart")).longValue();
        long betaRoot = ((Number) ((Map<?, ?>) apps.get("beta").get("idRange")).get("hostStart")).longValue();
        assertNotEquals(alphaRoot, betaRoot);
        Path betaFile = f.config.root().resolve("apps/beta/1/rootfs/etc/passwd");
        assertTrue(Files.exists(betaFile));
        Tools.Result asAlpha = Tools.run(List.of(Tools.require("setpriv", "util-linux").toString(), "--reuid=" + alphaRoot,
                "--regid=" + alphaRoot, "--clear-groups", "cat", betaFile.toString()), 30);
        assertNotEquals(0, asAlpha.exit(), "alpha's root read beta's file: " + asAlpha.stdout());
        assertTrue(asAlpha.stderr().contains("Permission denied"), asAlpha.stderr());
        f.discard("alpha-1");
        f.discard("beta-1");
    }

    @Test
    void grantsAreHonouredAndNothingBeyondThem() throws Exception {
        String image = TestImages.push(f, "granted", List.of("/bin/sh", "-c",
                "grep CapEff /proc/self/status | sed 's/:[[:space:]]*/: /'; echo \"net: $(ls /sys/class/net | tr '\\n' ' ')\"; "
                        + "echo kept > /data/note && echo 'data: written'; echo \"cpu_quota: $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)\"; "
                        + "echo 'granted: end'; sleep 600"), null);
        Map<String, Object> reply = f.deploy("op-granted", "granted", image, ",\"resources\":{\"cpus\":0.5},"
                + "\"capabilities\":[\"CAP_NET_BIND_SERVICE\"],\"network\":\"host\",\"volumes\":[{\"name\":\"data\",\"path\":\"/data\"}],"
                + "\"restart\":\"no\"");
        assertEquals(true, reply.get("ok"), reply.toString());
        Map<String, String> seen = f.lines("granted", "granted: end", 1);
        assertEquals("0000000000000400", seen.get("CapEff"), "CAP_NET_BIND_SERVICE and nothing else");
        assertTrue(seen.get("net").split(" ").length > 1, "the host's interfaces: " + seen.get("net"));
        assertEquals("written", seen.get("data"));
        assertEquals("50000", seen.get("cpu_quota"));
        Path volume = f.config.root().resolve("volumes/granted/data/note");
        assertEquals("kept\n", Files.readString(volume), "the volume lives outside the generation");

        Map<String, Object> refused = f.deploy("op-admin", "greedy", image, ",\"capabilities\":[\"CAP_SYS_ADMIN\"]");
        assertEquals("NOT_PERMITTED", refused.get("code"), refused.toString());
        assertTrue(String.valueOf(refused.get("message")).contains("grants.capabilities"), refused.toString());
        assertTrue(f.containers().stream().noneMatch(c -> c.startsWith("greedy-")));
        Map<String, Object> device = f.deploy("op-dev", "greedy", image, ",\"devices\":[\"/dev/sda\"]");
        assertEquals("NOT_PERMITTED", device.get("code"), device.toString());
        f.discard("granted-1");
    }

    @Test
    void anAppsOwnSeccompProfileOnlyWhereTheDeviceGrantsIt() throws Exception {
        // The default allowlist without mkdir: the app's profile narrows what it may do.
        Map<String, Object> narrowed = new java.util.LinkedHashMap<>(DefaultSeccompProfile.forArch("amd64").toOci());
        List<Object> rules = new ArrayList<>();
        for (Object r : (List<?>) narrowed.get("syscalls")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rule = new java.util.LinkedHashMap<>((Map<String, Object>) r);
            rule.put("names", ((List<?>) rule.get("names")).stream().filter(n -> !n.equals("mkdir") && !n.equals("mkdirat")).toList());
            rules.add(rule);
        }
        narrowed.put("syscalls", rules);
        String profileJson = new String(Json.compact(narrowed));
        String image = TestImages.push(f, "narrow", List.of("/bin/sh", "-c",
                "if mkdir /tmp/d 2>/dev/null; then echo 'mkdir: allowed'; else echo 'mkdir: refused'; fi; echo 'narrow: end'; sleep 600"), null);

        Map<String, Object> refused = f.deploy("op-narrow-0", "narrow", image, ",\"seccomp\":" + profileJson);
        assertEquals("NOT_PERMITTED", refused.get("code"), refused.toString());
        assertTrue(String.valueOf(refused.get("message")).contains("grants.customSeccomp"), refused.toString());

        Path custom = f.work.resolve("custom-profile.json");
        Files.writeString(custom, Files.readString(Tools.repoRoot().resolve(
                "device-profiles/src/main/resources/dev/edgeagent/profiles/generic-x86_64.json"))
                .replace("\"volumes\": true", "\"volumes\": true, \"customSeccomp\": true"));
        f.stopAgent();
        f.profile = custom.toString();
        f.startAgent();
        try {
            Map<String, Object> reply = f.deploy("op-narrow-1", "narrow", image, ",\"restart\":\"no\",\"seccomp\":" + profileJson);
            assertEquals(true, reply.get("ok"), reply.toString());
            assertEquals("refused", f.lines("narrow", "narrow: end", 1).get("mkdir"));
            f.discard("narrow-1");
        } finally {
            f.stopAgent();
            f.profile = "generic-x86_64";
            f.startAgent();
        }
    }

    @Test
    void aRestartedAgentReadoptsRunningContainersWithoutDuplicates() throws Exception {
        String image = TestImages.push(f, "steady", List.of("/bin/sh", "-c", "echo steady: up; sleep 600"), null);
        assertEquals(true, f.deploy("op-steady", "steady", image, ",\"restart\":\"no\"").get("ok"));
        long pid = f.pidOf("steady-1");
        f.stopAgent();
        f.startAgent();
        Map<String, Object> status = f.status("\"steady\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> steady = (Map<String, Object>) ((Map<String, Object>) status.get("apps")).get("steady");
        assertEquals("RUNNING", steady.get("phase"));
        assertEquals(pid, f.pidOf("steady-1"), "the same process runs on");
        assertEquals(1, f.containers().stream().filter(c -> c.startsWith("steady-")).count(), f.containers().toString());
        assertEquals(0, steady.get("restarts"));
        f.discard("steady-1");
    }
}
