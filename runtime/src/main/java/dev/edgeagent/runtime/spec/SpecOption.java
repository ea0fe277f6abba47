package dev.edgeagent.runtime.spec;

/** One small, separately tested change to a runtime spec (containerd's SpecOpts, in Java). */
@FunctionalInterface
public interface SpecOption {
    void apply(AppSpec app, OciSpec spec);
}
