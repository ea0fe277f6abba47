package dev.edgeagent.protocol;

/** Stable codes an operator's tooling can act on; the message beside them is for people. */
public enum ErrorCode {
    BAD_REQUEST(Category.INPUT),
    UNKNOWN_COMMAND(Category.INPUT),
    PAYLOAD_TOO_LARGE(Category.INPUT),
    LIMIT_EXCEEDED(Category.POLICY),
    NOT_PERMITTED(Category.POLICY),
    BUSY(Category.STATE),
    REGISTRY_UNREACHABLE(Category.NETWORK),
    REGISTRY_ERROR(Category.NETWORK),
    NOT_FOUND(Category.INPUT),
    DIGEST_MISMATCH(Category.INTEGRITY),
    UNSUPPORTED_IMAGE(Category.INPUT),
    UNSAFE_LAYER(Category.INTEGRITY),
    STORAGE_ERROR(Category.STORAGE),
    INSUFFICIENT_STORAGE(Category.STORAGE),
    RUNTIME_ERROR(Category.RUNTIME),
    ROLLED_BACK(Category.RUNTIME),
    UNSIGNED(Category.TRUST),
    BAD_SIGNATURE(Category.TRUST),
    UNKNOWN_KEY(Category.TRUST),
    EXPIRED(Category.TRUST),
    CLOCK_SKEW(Category.TRUST),
    REPLAYED(Category.TRUST),
    WRONG_TARGET(Category.TRUST),
    IMAGE_NOT_TRUSTED(Category.TRUST),
    UPDATE_NOT_TRUSTED(Category.TRUST),
    INTERNAL(Category.INTERNAL);

    public enum Category { INPUT, POLICY, STATE, NETWORK, INTEGRITY, STORAGE, RUNTIME, TRUST, INTERNAL }

    private final Category category;

    ErrorCode(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
