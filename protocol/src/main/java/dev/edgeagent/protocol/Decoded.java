package dev.edgeagent.protocol;

import java.util.Optional;

/**
 * The result of reading wire input: a value, or a rejection with a code and a sentence. Wire input never throws
 * through; the order id is kept whenever it could be read so the rejection can still be matched by the sender.
 */
public sealed interface Decoded<T> {
    Optional<OperationId> id();

    record Ok<T>(T value, Optional<OperationId> id) implements Decoded<T> {}

    record Rejected<T>(ErrorCode code, String message, Optional<OperationId> id) implements Decoded<T> {}
}
