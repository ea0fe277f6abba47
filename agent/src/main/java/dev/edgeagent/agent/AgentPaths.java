package dev.edgeagent.agent;

import dev.edgeagent.protocol.AppName;
import java.nio.file.Path;

/** The agent's on-disk layout under its root (docs/architecture.md, "On disk"). */
public record AgentPaths(Path root) {
    public Path state() {
        return root.resolve("state");
    }

    /** The trust document in force and the operator sequence numbers seen. */
    public Path trust() {
        return root.resolve("trust");
    }

    public Path apps() {
        return root.resolve("apps");
    }

    public Path app(AppName app) {
        return apps().resolve(app.value());
    }

    public Path generation(AppName app, long generation) {
        return app(app).resolve(Long.toString(generation));
    }

    /** Where a generation is built; it becomes visible under its number only once whole. */
    public Path staging(AppName app, long generation) {
        return app(app).resolve(".staging-" + generation);
    }

    /** An app's named volume: kept across generations, removed only with the app. */
    public Path volume(AppName app, String name) {
        return root.resolve("volumes").resolve(app.value()).resolve(name);
    }

    /** Every app's logs; root's alone. */
    public Path logs() {
        return root.resolve("logs");
    }

    /** The content-addressed blob store (ota's BlobStore lays it out); root's alone. */
    public Path blobs() {
        return root.resolve("blobs");
    }

    /** Bridge networks: their state, the apps' netns files, hosts files and address leases. */
    public Path net() {
        return root.resolve("net");
    }

    public Path log(AppName app) {
        return logs().resolve(app.value()).resolve(app.value() + ".log");
    }
}
