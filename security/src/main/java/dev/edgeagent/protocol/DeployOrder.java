package dev.edgeagent.protocol;

import dev.edgeagent.security.ImageRef;
import java.util.Objects;

/** Run image {@code image} as app {@code app}, within the requested resources. The image must be pinned by digest. */
public record DeployOrder(OperationId id, AppName app, ImageRef image, ResourceRequest resources) {
    public DeployOrder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(resources, "resources");
        image.requireDigest();
    }
}
