package dev.edgeagent.security.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeagent.protocol.wire.Fields;
import dev.edgeagent.protocol.wire.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeccompProfileJsonTest {
    private static final List<String> ARCHS = List.of("SCMP_ARCH_X86_64");

    private static SeccompProfile parse(String json, Set<String> extras) throws Exception {
        return SeccompProfileJson.parse(new Fields(Json.object(json.getBytes(StandardCharsets.UTF_8)), "seccomp"), ARCHS, extras);
    }

    @Test
    void readsTheOciFormat() throws Exception {
        SeccompProfile p = parse("""
                {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                  {"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}""", Set.of());
        assertEquals(ARCHS, p.architectures());
        assertEquals(Set.of("read", "write", "exit_group", "personality"), p.allowedSyscalls());
        assertEquals(8, p.rules().get(1).args().get(0).value());
    }

    @Test
    void refusesWhatWouldWeakenTheFloor() {
        Fields.WireException allowAll = assertThrows(Fields.WireException.class,
                () -> parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}", Set.of()));
        assertTrue(allowAll.getMessage().contains("must deny"), allowAll.getMessage());
        SeccompProfileJson.NotGranted ptrace = assertThrows(SeccompProfileJson.NotGranted.class, () -> parse(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\"}]}", Set.of()));
        assertTrue(ptrace.getMessage().contains("ptrace") && ptrace.getMessage().contains("grants.extraSyscalls"));
    }

    @Test
    void aSyscallTheDeviceGrantsMayBeAllowed() throws Exception {
        SeccompProfile p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                Set.of("ptrace"));
        assertEquals(Set.of("ptrace"), p.allowedSyscalls());
    }

    @Test
    void dockersConditionalRulesAreRefusedWithAReason() throws Exception {
        byte[] moby;
        try (InputStream in = getClass().getResourceAsStream("/moby/default.json")) {
            moby = in.readAllBytes();
        }
        Fields.WireException e = assertThrows(Fields.WireException.class,
                () -> SeccompProfileJson.parse(new Fields(Json.object(moby), "seccomp"), ARCHS, Set.of()));
        assertTrue(e.getMessage().contains("includes/excludes") || e.getMessage().contains("unknown field"), e.getMessage());
    }
}
