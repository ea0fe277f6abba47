package dev.edgeagent.security.seccomp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds an app's own seccomp profile to the device's default: whatever the custom profile lets run must be let run
 * by the default widened by the device's extra grants. Every action that does not deny counts as letting a syscall
 * run (SCMP_ACT_LOG allows and logs, SCMP_ACT_TRACE and SCMP_ACT_NOTIFY hand the decision to a tracer or listener).
 * Where the default allows a syscall only under argument conditions (clone without namespace flags, socket without
 * AF_VSOCK, personality for a few personas), a custom rule must carry at least those conditions: seccomp ANDs the
 * conditions of one rule, so more conditions can only narrow it.
 */
final class CustomProfilePolicy {
    private CustomProfilePolicy() {}

    static boolean allows(String action) {
        return !SeccompProfile.DENYING.contains(action);
    }

    static void check(SeccompProfile custom, SeccompProfile deviceDefault, Set<String> grantedExtras)
            throws SeccompProfileJson.NotGranted {
        if (allows(custom.defaultAction())) {
            throw new SeccompProfileJson.NotGranted("its defaultAction " + custom.defaultAction() + " lets every syscall run");
        }
        Set<String> unconditional = new HashSet<>(grantedExtras);
        Map<String, List<List<SeccompProfile.ArgCondition>>> conditional = new HashMap<>();
        for (SeccompProfile.Rule r : deviceDefault.rules()) {
            if (!allows(r.action())) {
                continue;
            }
            for (String name : r.names()) {
                if (r.args().isEmpty()) {
                    unconditional.add(name);
                } else {
                    conditional.computeIfAbsent(name, n -> new ArrayList<>()).add(r.args());
                }
            }
        }
        for (SeccompProfile.Rule r : custom.rules()) {
            if (!allows(r.action())) {
                continue;
            }
            for (String name : r.names()) {
                if (unconditional.contains(name)) {
                    continue;
                }
                List<List<SeccompProfile.ArgCondition>> floors = conditional.get(name);
                if (floors == null) {
                    throw new SeccompProfileJson.NotGranted("it lets " + name + " run (" + r.action() + "), which the device's default "
                            + "profile does not allow and the device profile does not grant (grants.extraSyscalls)");
                }
                if (floors.stream().noneMatch(floor -> r.args().containsAll(floor))) {
                    throw new SeccompProfileJson.NotGranted("it lets " + name + " run (" + r.action() + ") under weaker argument "
                            + "conditions than the default profile's " + describe(floors) + "; keep those conditions, or have the "
                            + "device profile grant " + name + " (grants.extraSyscalls)");
                }
            }
        }
    }

    private static String describe(List<List<SeccompProfile.ArgCondition>> floors) {
        List<String> out = new ArrayList<>();
        for (List<SeccompProfile.ArgCondition> floor : floors) {
            if (out.size() == 3) {
                out.add("…");
                break;
            }
            out.add(floor.stream().map(c -> "arg" + c.index() + " " + c.op() + " 0x" + Long.toHexString(c.value())
                    + (c.op().equals("SCMP_CMP_MASKED_EQ") ? " == 0x" + Long.toHexString(c.valueTwo()) : "")).toList().toString());
        }
        return String.join(" or ", out);
    }
}
