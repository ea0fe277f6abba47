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

    private static SeccompProfile parse(String json, Set<String> extras) throws Exception {
        return SeccompProfileJson.parse(new Fields(Json.object(json.getBytes(StandardCharsets.UTF_8)), "seccomp"), DEFAULT, extras);
    }

    private static final SeccompProfile DEFAULT = DefaultSeccompProfile.forArch("amd64");

    private static String rule(String names, String action, String args) {
        return "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"" + names + "\"],\"action\":\"" + action + "\"" + (args.isEmpty() ? "" : ",\"args\":" + args) + "}]}";
    }

    private static void assertNotGranted(String json, String syscall) {
        SeccompProfileJson.NotGranted e = assertThrows(SeccompProfileJson.NotGranted.class, () -> parse(json, Set.of()),
                () -> syscall + " got through: " + json);
        assertTrue(e.getMessage().contains(syscall), e.getMessage());
    }

    @Test
    void everyActionThatLetsASyscallRunIsHeldToTheDefault() {
        for (String action : List.of("SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY", "SCMP_ACT_ALLOW")) {
            for (String syscall : List.of("unshare", "setns", "mount", "bpf", "keyctl", "ptrace", "io_uring_setup", "socketcall",
                    "modify_ldt")) {
                assertNotGranted(rule(syscall, action, ""), syscall);
            }
        }
    }

    @Test
    void conditionalDefaultsKeepTheirArgumentFilters() {
        for (String action : List.of("SCMP_ACT_ALLOW", "SCMP_ACT_LOG")) {
            for (String syscall : List.of("clone", "socket", "personality")) {
                assertNotGranted(rule(syscall, action, ""), syscall);
            }
            // only CLONE_NEWNS in the mask: CLONE_NEWUSER would pass
            assertNotGranted(rule("clone", action, "[{\"index\":0,\"value\":131072,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]"), "clone");
            assertNotGranted(rule("socket", action, "[{\"index\":0,\"value\":16,\"op\":\"SCMP_CMP_NE\"}]"), "socket");
            assertNotGranted(rule("personality", action, "[{\"index\":0,\"value\":4,\"op\":\"SCMP_CMP_EQ\"}]"), "personality");
        }
    }

    @Test
    void theDefaultsOwnConditionsOrNarrowerOnesAreTaken() throws Exception {
        String cloneLikeDefault = "[{\"index\":0,\"value\":" + DefaultSeccompProfile.CLONE_NAMESPACE_FLAGS
                + ",\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]";
        assertEquals(Set.of("read", "write", "clone"), parse(rule("clone", "SCMP_ACT_LOG", cloneLikeDefault), Set.of()).allowedSyscalls());
        String narrower = "[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"},{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]";
        assertEquals(Set.of("read", "write", "socket"), parse(rule("socket", "SCMP_ACT_ALLOW", narrower), Set.of()).allowedSyscalls());
        // a denying rule may name anything
        parse(rule("unshare", "SCMP_ACT_KILL_PROCESS", ""), Set.of());
        // what the device grants may run under any action
        assertEquals(Set.of("read", "write", "unshare"), parse(rule("unshare", "SCMP_ACT_LOG", ""), Set.of("unshare")).allowedSyscalls());
    }

    @Test
    void anUnknownActionIsRefused() {
        assertThrows(Fields.WireException.class, () -> parse(rule("read", "SCMP_ACT_YOLO", ""), Set.of()));
        assertThrows(Fields.WireException.class, () -> parse("{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[]}", Set.of()));
    }

    @Test
    void readsTheOciFormat() throws Exception {
        SeccompProfile p = parse("""
                {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                  {"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}""", Set.of());
        assertEquals(DEFAULT.architectures(), p.architectures());
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
                () -> SeccompProfileJson.parse(new Fields(Json.object(moby), "seccomp"), DEFAULT, Set.of()));
        assertTrue(e.getMessage().contains("includes/excludes") || e.getMessage().contains("unknown field"), e.getMessage());
    }
}
