package dev.edgeagent.security.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DefaultSeccompProfileTest {
    private final SeccompProfile profile = DefaultSeccompProfile.forArch("amd64");

    @Test
    void deniesByDefault() {
        assertEquals(SeccompProfile.ERRNO, profile.defaultAction());
        assertEquals(Map.of("defaultAction", SeccompProfile.ERRNO), Map.of("defaultAction", profile.toOci().get("defaultAction")));
    }

    @Test
    void neverAllowsTheEscapeSurface() {
        Set<String> overlap = new TreeSet<>(profile.allowedSyscalls());
        overlap.retainAll(DefaultSeccompProfile.ALWAYS_DENIED);
        assertEquals(Set.of(), overlap);
    }

    @Test
    void cloneIsAllowedOnlyWithoutNamespaceFlags() {
        SeccompProfile.Rule clone = profile.rules().stream().filter(r -> r.names().equals(List.of("clone"))).findFirst().orElseThrow();
        assertEquals(1, clone.args().size());
        SeccompProfile.ArgCondition c = clone.args().get(0);
        assertEquals("SCMP_CMP_MASKED_EQ", c.op());
        assertEquals(0, c.valueTwo());
        // CLONE_NEWUSER, CLONE_NEWNS and CLONE_NEWNET must all be inside the mask.
        for (long flag : new long[] {0x10000000L, 0x00020000L, 0x40000000L}) {
            assertEquals(flag, c.value() & flag);
        }
    }

    @Test
    void clone3FailsWithEnosysSoLibcFallsBackToFilteredClone() {
        SeccompProfile.Rule clone3 = profile.rules().stream().filter(r -> r.names().equals(List.of("clone3"))).findFirst().orElseThrow();
        assertEquals(SeccompProfile.ERRNO, clone3.action());
        assertEquals(38, clone3.errnoRet());
    }

    @Test
    void coversTheHostArchitectureFamily() {
        assertTrue(profile.architectures().contains("SCMP_ARCH_X86_64"));
        assertTrue(DefaultSeccompProfile.forArch("arm64").architectures().contains("SCMP_ARCH_AARCH64"));
        assertThrows(IllegalArgumentException.class, () -> DefaultSeccompProfile.forArch("sparc"));
    }

    @Test
    void aProfileThatAllowsByDefaultCannotBeBuilt() {
        assertThrows(IllegalArgumentException.class,
                () -> new SeccompProfile(SeccompProfile.ALLOW, 1, List.of("SCMP_ARCH_X86_64"), List.of()));
    }
}
