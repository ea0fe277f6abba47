package dev.edgeagent.protocol;

import java.util.UUID;
import java.util.regex.Pattern;

/** The id an operator gives an order; replies and events carry it so the operator can match them. */
public record OperationId(String value) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public OperationId {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException("order id '" + value
                    + "' must be 1-128 characters of letters, digits, '.', '_', ':' and '-'");
        }
    }

    public static OperationId random() {
        return new OperationId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
