package dev.edgeagent.protocol.wire;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The one JSON configuration of the project: field order kept, pretty output for files people read. */
public final class Json {
    // Nulls are written: "lastError": null says "none yet", which an absent field does not.
    private static final JSON COMPACT = JSON.std.without(JSON.Feature.PRETTY_PRINT_OUTPUT).with(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final JSON PRETTY = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).with(JSON.Feature.WRITE_NULL_PROPERTIES);

    /** Documents parsed since start: how the one-parse-per-order rule is held (OnePassOrderTest). */
    private static final java.util.concurrent.atomic.LongAdder PARSES = new java.util.concurrent.atomic.LongAdder();

    private Json() {}

    public static long parses() {
        return PARSES.sum();
    }

    public static byte[] compact(Object value) {
        try {
            return COMPACT.asBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] pretty(Object value) {
        try {
            return PRETTY.asBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a JSON object; throws IOException with the parser's reason for anything else. */
    public static Map<String, Object> object(byte[] bytes) throws IOException {
        PARSES.increment();
        Object any = JSON.std.anyFrom(bytes);
        if (!(any instanceof Map<?, ?> map)) {
            throw new IOException("expected a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        return typed;
    }
}
