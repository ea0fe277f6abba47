package dev.edgeagent.agent.doctor;

import dev.edgeagent.runtime.host.CgroupMode;
import java.util.Optional;
import java.util.Set;

/** What the doctor looked at on this host; gathered by {@link HostProbe}, judged by {@link Doctor}. */
public record HostFacts(String kernelRelease, boolean root, long maxUserNamespaces, boolean seccomp, CgroupMode cgroupMode,
        Set<String> cgroupControllers, Optional<String> runcVersion, Optional<String> crunVersion, Optional<String> runtimeChoice,
        Optional<String> runtimeProblem, String storageRoot, boolean storageWritable, long storageFreeBytes,
        String storageExistingParent) {
    public HostFacts {
        cgroupControllers = Set.copyOf(cgroupControllers);
    }

    /** A host whose storage root exists already. */
    public HostFacts(String kernelRelease, boolean root, long maxUserNamespaces, boolean seccomp, CgroupMode cgroupMode,
            Set<String> cgroupControllers, Optional<String> runcVersion, Optional<String> crunVersion, Optional<String> runtimeChoice,
            Optional<String> runtimeProblem, String storageRoot, boolean storageWritable, long storageFreeBytes) {
        this(kernelRelease, root, maxUserNamespaces, seccomp, cgroupMode, cgroupControllers, runcVersion, crunVersion, runtimeChoice,
                runtimeProblem, storageRoot, storageWritable, storageFreeBytes, storageRoot);
    }

    /** Whether the storage root is still to be made (by the agent, under {@link #storageExistingParent}). */
    public boolean storageMissing() {
        return !storageExistingParent.equals(storageRoot);
    }
}
