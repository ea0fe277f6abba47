package dev.edgeagent.protocol;

import java.util.Objects;

/**
 * Run image {@code image} as app {@code app}, within the requested resources, restarted per {@code restart}.
 * The image must be pinned by digest.
 */
public record DeployOrder(OperationId id, AppName app, ImageRef image, ResourceRequest resources, RestartMode restart,
        AppOptions options) {
    public static final RestartMode DEFAULT_RESTART = RestartMode.ON_FAILURE;

    public DeployOrder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(options, "options");
        image.requireDigest();
    }

    public DeployOrder(OperationId id, AppName app, ImageRef image, ResourceRequest resources) {
        this(id, app, image, resources, DEFAULT_RESTART, AppOptions.NONE);
    }
}
