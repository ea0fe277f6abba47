package dev.edgeagent.protocol;

import java.util.List;

/**
 * The whole set of apps a device (or a group) should run, versioned: a device applies a version only when it is
 * newer than the one it has, so an old retained message or a replay cannot roll it back.
 */
public record DesiredState(long version, String target, List<DeployOrder> apps) {
    public DesiredState {
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
        apps = List.copyOf(apps);
        if (apps.stream().map(DeployOrder::app).distinct().count() != apps.size()) {
            throw new IllegalArgumentException("each app may appear once");
        }
    }
}
