package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.agent.deploy.DeployFailure;
import dev.edgeagent.protocol.Decoded;
import dev.edgeagent.protocol.DeployOrder;
import dev.edgeagent.protocol.ErrorCode;
import dev.edgeagent.protocol.wire.DeployOrderJson;
import dev.edgeagent.protocol.wire.Json;
import dev.edgeagent.security.seccomp.DefaultSeccompProfile;
import dev.edgeagent.testkit.TarBuilder;
import dev.edgeagent.testkit.Tools;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    private static long hostRootOf(String app) throws Exception {
        Map<String, Object> status = f.status("\"" + app + "\"");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> apps = (Map<String, Map<String, Object>>) status.get("apps");
        return ((Number) ((Map<?, ?>) apps.get(app).get("idRange")).get("hostStart")).longValue();
    }

    private static void assertOwned(Path p, long uid, long gid, String mode) throws Exception {
        assertEquals(uid, ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue(), p + " owner");
        assertEquals(gid, ((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue(), p + " group");
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)), p + " mode");
    }

    /** Runs a command on the host as the app's root user, outside any container: what a stray process of that uid can do. */
    private static Tools.Result asHostUid(long uid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.require("setpriv", "util-linux").toString(), "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups"));
        cmd.addAll(List.of(command));
        return Tools.run(cmd, 30);
    }

    @Test
    void theAppsRootOwnsItsRootfsAndNothingRootReadsOrBuildsIn() throws Exception {
        String image = TestImages.push(f, "owned", List.of("/bin/sh", "-c", "echo 'owned: up'; exec sleep 600"), null);
        try (java.io.FileInputStream extra = new java.io.FileInputStream("/etc/hostname")) {
            // An fd the agent's JVM holds open (no close-on-exec) while it launches runc: it must not reach the app.
            Map<String, Object> reply = f.deploy("op-owned", "owned", image, ",\"restart\":\"no\"");
            assertEquals(true, reply.get("ok"), reply.toString());
        }
        f.lines("owned", "owned: up", 1); // it started: the runtime reaches the rootfs through root's folders
        long appRoot = hostRootOf("owned");
        Path root = f.config.root();
        Path appDir = root.resolve("apps/owned");
        Path generation = appDir.resolve("1");
        assertOwned(appDir, 0, appRoot, "rwx--x---");
        assertOwned(generation, 0, appRoot, "rwx--x---");
        assertOwned(generation.resolve("config.json"), 0, 0, "rw-------");
        assertEquals(appRoot, ((Number) Files.getAttribute(generation.resolve("rootfs"), "unix:uid")).longValue(), "only the rootfs is the app's");
        assertOwned(root.resolve("logs"), 0, 0, "rwx------");
        assertOwned(root.resolve("blobs"), 0, 0, "rwx------");

        Tools.Result plant = asHostUid(appRoot, "ln", "-s", "/", appDir.resolve(".staging-2").toString());
        assertNotEquals(0, plant.exit(), "the app's uid planted a staging link");
        assertTrue(plant.stderr().contains("Permission denied"), plant.stderr());
        Tools.Result config = asHostUid(appRoot, "sh", "-c", "echo '{}' > " + generation.resolve("config.json"));
        assertNotEquals(0, config.exit(), "the app's uid rewrote config.json");
        Tools.Result swap = asHostUid(appRoot, "mv", generation.resolve("rootfs").toString(), generation.resolve("old").toString());
        assertNotEquals(0, swap.exit(), "the app's uid moved its rootfs aside");
        Tools.Result logs = asHostUid(appRoot, "cat", f.log("owned").toString());
        assertNotEquals(0, logs.exit(), "logs are root's alone");

        long pid = f.pidOf("owned-1");
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            assertEquals(List.of("0", "1", "2"), fds.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only stdin, stdout and stderr reach the app");
        }
        f.discard("owned-1");
    }

    @Test
    void aStagingFolderPlantedAsASymlinkIsRefusedAndNothingOutsideIsWritten() throws Exception {
        String image = TestImages.push(f, "planted", List.of("/bin/sh", "-c", "sleep 600"), null);
        Path outside = Files.createDirectories(f.work.resolve("outside-the-root"));
        Path appDir = Files.createDirectories(f.config.root().resolve("apps/planted"));
        // What a process with the app's uid could leave in the folder it used to own.
        Files.createSymbolicLink(appDir.resolve(".staging-1"), outside);
        Map<String, Object> reply = f.deploy("op-planted", "planted", image, ",\"restart\":\"no\"");
        assertEquals("STORAGE_ERROR", reply.get("code"), reply.toString());
        assertTrue(String.valueOf(reply.get("message")).contains("symlink"), reply.toString());
        try (var entries = Files.list(outside)) {
            assertEquals(List.of(), entries.toList(), "nothing written through the link");
        }
        assertEquals(0, ((Number) Files.getAttribute(outside, "unix:uid")).longValue(), "the link's target was not chowned");
        assertTrue(f.containers().stream().noneMatch(c -> c.startsWith("planted-")));
        Files.delete(appDir.resolve(".staging-1"));
    }

    @Test
    void aFailureMidBuildLeavesNoStagingFolder() throws Exception {
        String image = TestImages.push(f, "buggy", List.of("/bin/sh", "-c", "sleep 600"), null);
        String json = "{\"id\":\"op-buggy\",\"app\":\"buggy\",\"image\":\"" + image + "\",\"restart\":\"no\"}";
        DeployOrder order = ((Decoded.Ok<DeployOrder>) DeployOrderJson.decode(json.getBytes(), 1 << 16)).value();
        DeployFailure failure = assertThrows(DeployFailure.class, () -> f.agent.deployer().deploy(order, (type, details) -> {
            if (type.equals("pull.verified")) {
                throw new IllegalStateException("a bug between unpacking and writing the bundle");
            }
        }));
        assertEquals(ErrorCode.INTERNAL, failure.code(), failure.getMessage());
        assertTrue(failure.getMessage().contains("a bug between"), failure.getMessage());
        try (var entries = Files.list(f.config.root().resolve("apps/buggy"))) {
            assertEquals(List.of(), entries.toList(), "no staging folder, no generation");
        }
        assertTrue(f.containers().stream().noneMatch(c -> c.startsWith("buggy-")));
    }

    @Test
    void imagesThatAimTheRuntimeAtProcAreRefused() throws Exception {
        String linked = TestImages.push(f, "proclink", List.of("/bin/sh", "-c", "sleep 600"),
                new TarBuilder().symlink("proc", "/tmp"));
        Map<String, Object> reply = f.deploy("op-proclink", "proclink", linked, ",\"restart\":\"no\"");
        assertEquals("UNSAFE_LAYER", reply.get("code"), reply.toString());
        assertTrue(String.valueOf(reply.get("message")).contains("/proc"), reply.toString());
        try (var entries = Files.list(f.config.root().resolve("apps/proclink"))) {
            assertEquals(List.of(), entries.toList(), "nothing half-built is left");
        }

        String cwd = TestImages.push(f, "proccwd", List.of("/bin/sh", "-c", "sleep 600"), null,
                List.of("--config.workingdir", "/proc/self/fd/7"));
        Map<String, Object> refused = f.deploy("op-proccwd", "proccwd", cwd, ",\"restart\":\"no\"");
        assertEquals("UNSUPPORTED_IMAGE", refused.get("code"), refused.toString());
        assertTrue(String.valueOf(refused.get("message")).contains("under /proc"), refused.toString());
        assertTrue(f.containers().stream().noneMatch(c -> c.startsWith("proc")), f.containers().toString());
    }

    @Test
    void aHostNetworkAppSeesEveryMountUnderSysReadOnly() throws Exception {
        // Per mount point the last line of mountinfo is the mount one sees there; earlier ones are covered.
        String image = TestImages.push(f, "sysro", List.of("/bin/sh", "-c",
                "echo \"sys_visible_writable: [$(awk '$5 ~ \"^/sys(/|$)\" {o[$5]=$6} END {for (m in o) if (o[m] !~ /^ro/) printf \" %s\", m}' /proc/self/mountinfo)]\"; "
                        + "echo \"sys_writable: [$(awk '$5 ~ \"^/sys(/|$)\" && $6 !~ /^ro/ {printf \" %s\", $5}' /proc/self/mountinfo)]\"; "
                        + "echo \"sys_mounts: $(grep -c ' /sys/' /proc/self/mountinfo)\"; "
                        + "if mkdir /sys/fs/cgroup/probe 2>/dev/null; then echo 'cgroup_write: ALLOWED'; else echo 'cgroup_write: refused'; fi; "
                        + "echo 'sysro: end'; exec sleep 600"), null);
        Map<String, Object> reply = f.deploy("op-sysro", "sysro", image, ",\"network\":\"host\",\"restart\":\"no\"");
        assertEquals(true, reply.get("ok"), reply.toString());
        Map<String, String> seen = f.lines("sysro", "sysro: end", 1);
        assertTrue(Integer.parseInt(seen.get("sys_mounts")) > 1, "the host's /sys has sub-mounts here: " + seen);
        assertEquals("[]", seen.get("sys_visible_writable"), "mounts under /sys one can reach that are not read-only: " + seen);
        // The host's sub-mounts came in with the rbind: each must be read-only, reachable or not. The one writable
        // line left is runc's own cgroup v1 tmpfs, covered by its read-only remount.
        assertEquals("[ /sys/fs/cgroup]", seen.get("sys_writable"), "writable mounts under /sys: " + seen);
        assertEquals("refused", seen.get("cgroup_write"));
        f.discard("sysro-1");
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
        long appRoot = hostRootOf("steady");
        f.stopAgent();
        // The layout an older agent left: the app's folder and its config.json owned by the app's root.
        Path appDir = f.config.root().resolve("apps/steady");
        for (Path p : List.of(appDir, appDir.resolve("1/config.json"))) {
            Files.setAttribute(p, "unix:uid", (int) appRoot, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) appRoot, LinkOption.NOFOLLOW_LINKS);
        }
        Files.setPosixFilePermissions(appDir, PosixFilePermissions.fromString("rwx------"));
        f.startAgent();
        assertOwned(appDir, 0, appRoot, "rwx--x---");
        assertOwned(appDir.resolve("1/config.json"), 0, 0, "rw-------");
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
