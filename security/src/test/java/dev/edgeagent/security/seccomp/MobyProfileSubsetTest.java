package dev.edgeagent.security.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Json;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Our default profile allows nothing that Docker's default denies to a container without capabilities.
 * The reference is moby's profiles/seccomp/default.json (20.10.24, from Debian's golang-github-docker-docker-dev),
 * kept in src/test/resources/moby/default.json.
 */
class MobyProfileSubsetTest {
    /** Syscalls moby allows (with or without argument filters) for a container that holds no capability, on amd64. */
    @SuppressWarnings("unchecked")
    static Set<String> mobyAllowsWithoutCapabilities() throws Exception {
        Map<String, Object> root;
        try (InputStream in = MobyProfileSubsetTest.class.getResourceAsStream("/moby/default.json")) {
            root = Json.object(in.readAllBytes());
        }
        Set<String> allowed = new TreeSet<>();
        for (Object o : (List<Object>) root.get("syscalls")) {
            Map<String, Object> rule = (Map<String, Object>) o;
            if (!"SCMP_ACT_ALLOW".equals(rule.get("action"))) {
                continue;
            }
            Map<String, Object> includes = (Map<String, Object>) rule.getOrDefault("includes", Map.of());
            List<String> caps = (List<String>) includes.getOrDefault("caps", List.of());
            List<String> arches = (List<String>) includes.getOrDefault("arches", List.of());
            if (!caps.isEmpty() || (!arches.isEmpty() && !arches.contains("amd64"))) {
                continue;
            }
            allowed.addAll((List<String>) rule.get("names"));
        }
        return allowed;
    }

    @Test
    void everySyscallWeAllowMobyAllowsToo() throws Exception {
        Set<String> moby = mobyAllowsWithoutCapabilities();
        assertTrue(moby.size() > 250, "the reference profile was read: " + moby.size());
        Set<String> wider = new TreeSet<>(DefaultSeccompProfile.forArch("amd64").allowedSyscalls());
        wider.removeAll(moby);
        assertEquals(Set.of(), wider, "allowed by edgeagent but denied by Docker's default");
    }

    @Test
    void weDenySomeOfWhatMobyAllows() throws Exception {
        Set<String> stricter = new HashSet<>(mobyAllowsWithoutCapabilities());
        stricter.removeAll(DefaultSeccompProfile.forArch("amd64").allowedSyscalls());
        assertTrue(stricter.containsAll(Set.of("ptrace", "io_uring_setup", "mknod", "memfd_secret")), stricter.toString());
    }
}
