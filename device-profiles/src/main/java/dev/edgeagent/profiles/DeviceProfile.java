package dev.edgeagent.profiles;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A device class: the platform its images must match, the limits an app gets when it asks for none, and the
 * ceilings no app may pass.
 */
public record DeviceProfile(String name, Platform platform, ResourceLimits defaults, ResourceLimits ceilings) {
    public DeviceProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(platform, "platform");
        if (defaults.memoryBytes() > ceilings.memoryBytes()) {
            throw new IllegalArgumentException("profile " + name + ": defaults.memoryBytes is above ceilings.memoryBytes");
        }
        if (defaults.pids() > ceilings.pids()) {
            throw new IllegalArgumentException("profile " + name + ": defaults.pids is above ceilings.pids");
        }
    }

    /** The limits an app runs under: what it asked for, else the defaults; refused past a ceiling. */
    public ResourceLimits limitsFor(OptionalLong memoryBytes, OptionalLong pids) throws CeilingExceeded {
        long memory = memoryBytes.orElse(defaults.memoryBytes());
        long p = pids.orElse(defaults.pids());
        if (memory > ceilings.memoryBytes()) {
            throw new CeilingExceeded("memoryBytes " + memory + " is above the ceiling of profile " + name
                    + " (ceilings.memoryBytes = " + ceilings.memoryBytes() + ")");
        }
        if (p > ceilings.pids()) {
            throw new CeilingExceeded("pids " + p + " is above the ceiling of profile " + name
                    + " (ceilings.pids = " + ceilings.pids() + ")");
        }
        return new ResourceLimits(memory, p);
    }
}
