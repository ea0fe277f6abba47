package dev.edgeagent.security.seccomp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A seccomp filter in the OCI runtime-spec shape: a default action and ordered rules. */
public record SeccompProfile(String defaultAction, int defaultErrnoRet, List<String> architectures, List<Rule> rules) {
    public static final String ALLOW = "SCMP_ACT_ALLOW";
    public static final String ERRNO = "SCMP_ACT_ERRNO";
    static final java.util.Set<String> DENYING = java.util.Set.of(ERRNO, "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP");

    public SeccompProfile {
        if (!DENYING.contains(defaultAction)) {
            throw new IllegalArgumentException("a profile must deny by default (defaultAction one of " + DENYING + "), got "
                    + defaultAction);
        }
        if (architectures.isEmpty()) {
            throw new IllegalArgumentException("a seccomp profile needs at least one architecture");
        }
        architectures = List.copyOf(architectures);
        rules = List.copyOf(rules);
    }

    /** One rule: these syscalls get this action when every argument condition holds. */
    public record Rule(List<String> names, String action, Integer errnoRet, List<ArgCondition> args) {
        public Rule {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("a seccomp rule needs at least one syscall name");
            }
            names = List.copyOf(names);
            args = List.copyOf(args);
        }

        public static Rule allow(List<String> names) {
            return new Rule(names, ALLOW, null, List.of());
        }
    }

    public record ArgCondition(int index, long value, long valueTwo, String op) {
        public ArgCondition {
            if (index < 0 || index > 5) {
                throw new IllegalArgumentException("syscall argument index must be 0..5, got " + index);
            }
        }
    }

    /** Syscalls some rule lets run (any action that does not deny), with or without argument conditions. */
    public Set<String> allowedSyscalls() {
        Set<String> allowed = new TreeSet<>();
        for (Rule r : rules) {
            if (!DENYING.contains(r.action())) {
                allowed.addAll(r.names());
            }
        }
        return allowed;
    }

    /** The {@code linux.seccomp} object of an OCI config.json. */
    public Map<String, Object> toOci() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("defaultAction", defaultAction);
        out.put("defaultErrnoRet", defaultErrnoRet);
        out.put("architectures", architectures);
        List<Object> syscalls = new ArrayList<>();
        for (Rule r : rules) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("names", r.names());
            s.put("action", r.action());
            if (r.errnoRet() != null) {
                s.put("errnoRet", r.errnoRet());
            }
            if (!r.args().isEmpty()) {
                List<Object> args = new ArrayList<>();
                for (ArgCondition a : r.args()) {
                    args.add(Map.of("index", a.index(), "value", a.value(), "valueTwo", a.valueTwo(), "op", a.op()));
                }
                s.put("args", args);
            }
            syscalls.add(s);
        }
        out.put("syscalls", syscalls);
        return out;
    }
}
