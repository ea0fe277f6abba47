package dev.edgeagent.security.seccomp;

import dev.edgeagent.protocol.wire.Fields;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an app's own seccomp profile in the OCI / Docker JSON format. It must still deny by default, may not use
 * Docker's conditional includes/excludes (write the rules for the device explicitly), and may allow nothing the
 * device's default profile does not: {@link CustomProfilePolicy} holds it to that.
 */
public final class SeccompProfileJson {
    private static final Set<String> DENY_ACTIONS = SeccompProfile.DENYING;
    private static final Set<String> RULE_ACTIONS = Set.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
            "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
            "SCMP_ACT_NOTIFY");
    private static final Set<String> OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
            "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

    private SeccompProfileJson() {}

    /** The profile allows a syscall that the device's grants do not. */
    public static final class NotGranted extends Exception {
        public NotGranted(String message) {
            super(message);
        }
    }

    /**
     * Reads the profile and checks it against {@code deviceDefault} (the default profile of this device, without
     * extras) widened by {@code grantedExtras}.
     *
     * @throws Fields.WireException naming the field that is malformed
     * @throws NotGranted naming the syscall the device profile does not grant
     */
    public static SeccompProfile parse(Fields f, SeccompProfile deviceDefault, Set<String> grantedExtras)
            throws Fields.WireException, NotGranted {
        SeccompProfile profile = read(f, deviceDefault.architectures());
        CustomProfilePolicy.check(profile, deviceDefault, grantedExtras);
        return profile;
    }

    private static SeccompProfile read(Fields f, List<String> defaultArchitectures) throws Fields.WireException {
        f.refuseUnknown(List.of("defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags", "listenerPath"));
        String defaultAction = f.requireString("defaultAction");
        if (!DENY_ACTIONS.contains(defaultAction)) {
            throw new Fields.WireException("seccomp.defaultAction must deny (one of " + DENY_ACTIONS + "), got " + defaultAction);
        }
        List<String> archs = f.optionalStrings("architectures").orElse(defaultArchitectures);
        List<SeccompProfile.Rule> rules = new ArrayList<>();
        for (Fields r : f.optionalObjects("syscalls")) {
            if (r.keys().contains("includes") || r.keys().contains("excludes")) {
                throw new Fields.WireException("seccomp rules with includes/excludes are not supported: write the rules for "
                        + "this device explicitly");
            }
            r.refuseUnknown(List.of("names", "name", "action", "errnoRet", "args", "comment"));
            List<String> names = r.optionalStrings("names")
                    .orElseGet(() -> List.of(r.keys().contains("name") ? String.valueOf(r.raw("name")) : ""));
            String action = r.requireString("action");
            if (!RULE_ACTIONS.contains(action)) {
                throw new Fields.WireException("seccomp action '" + action + "' is not one of " + RULE_ACTIONS);
            }
            List<SeccompProfile.ArgCondition> args = new ArrayList<>();
            for (Fields a : r.optionalObjects("args")) {
                a.refuseUnknown(List.of("index", "value", "valueTwo", "op"));
                String op = a.requireString("op");
                if (!OPS.contains(op)) {
                    throw new Fields.WireException("seccomp op '" + op + "' is not one of " + OPS);
                }
                args.add(new SeccompProfile.ArgCondition((int) a.optionalLong("index").orElse(0), a.optionalLong("value").orElse(0),
                        a.optionalLong("valueTwo").orElse(0), op));
            }
            Integer errno = r.optionalLong("errnoRet").isPresent() ? (int) r.optionalLong("errnoRet").getAsLong() : null;
            try {
                rules.add(new SeccompProfile.Rule(names, action, errno, args));
            } catch (IllegalArgumentException e) {
                throw new Fields.WireException("seccomp rule: " + e.getMessage());
            }
        }
        int defaultErrno = (int) f.optionalLong("defaultErrnoRet").orElse(1);
        try {
            return new SeccompProfile(defaultAction, defaultErrno, archs, rules);
        } catch (IllegalArgumentException e) {
            throw new Fields.WireException("seccomp: " + e.getMessage());
        }
    }
}
