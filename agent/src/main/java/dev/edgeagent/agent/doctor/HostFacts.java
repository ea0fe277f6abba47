package dev.edgeagent.agent.doctor;

import dev.edgeagent.runtime.host.CgroupMode;
import dev.edgeagent.security.userns.IdRange;
import dev.edgeagent.security.userns.SubordinateIds;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What the doctor looked at on this host; gathered by {@link HostProbe}, judged by {@link Doctor}. */
public record HostFacts(String kernelRelease, boolean root, long maxUserNamespaces, boolean seccomp, CgroupMode cgroupMode,
        Set<String> cgroupControllers, Optional<String> runcVersion, Optional<String> crunVersion, Optional<String> runtimeChoice,
        Optional<String> runtimeProblem, String storageRoot, boolean storageWritable, long storageFreeBytes,
        String storageExistingParent, Set<String> runcPackageFixes, List<SubordinateIds> subordinateIds,
        Map<String, IdRange> appIdRanges) {
    public HostFacts {
        cgroupControllers = Set.copyOf(cgroupControllers);
        runcPackageFixes = Set.copyOf(runcPackageFixes);
        subordinateIds = List.copyOf(subordinateIds);
        appIdRanges = Map.copyOf(appIdRanges);
    }

    /** A host whose storage root exists already, without distribution fixes named, subuid/subgid entries or apps. */
    public HostFacts(String kernelRelease, boolean root, long maxUserNamespaces, boolean seccomp, CgroupMode cgroupMode,
            Set<String> cgroupControllers, Optional<String> runcVersion, Optional<String> crunVersion, Optional<String> runtimeChoice,
            Optional<String> runtimeProblem, String storageRoot, boolean storageWritable, long storageFreeBytes) {
        this(kernelRelease, root, maxUserNamespaces, seccomp, cgroupMode, cgroupControllers, runcVersion, crunVersion, runtimeChoice,
                runtimeProblem, storageRoot, storageWritable, storageFreeBytes, storageRoot);
    }

    /** A host without distribution fixes named, subuid/subgid entries or apps. */
    public HostFacts(String kernelRelease, boolean root, long maxUserNamespaces, boolean seccomp, CgroupMode cgroupMode,
            Set<String> cgroupControllers, Optional<String> runcVersion, Optional<String> crunVersion, Optional<String> runtimeChoice,
            Optional<String> runtimeProblem, String storageRoot, boolean storageWritable, long storageFreeBytes,
            String storageExistingParent) {
        this(kernelRelease, root, maxUserNamespaces, seccomp, cgroupMode, cgroupControllers, runcVersion, crunVersion, runtimeChoice,
                runtimeProblem, storageRoot, storageWritable, storageFreeBytes, storageExistingParent, Set.of(), List.of(), Map.of());
    }

    /** Whether the storage root is still to be made (by the agent, under {@link #storageExistingParent}). */
    public boolean storageMissing() {
        return !storageExistingParent.equals(storageRoot);
    }
}
