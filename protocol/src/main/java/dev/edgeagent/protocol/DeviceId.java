package dev.edgeagent.protocol;

import java.util.regex.Pattern;

/** A device's id: its MQTT client id and a topic level, so it can hold no MQTT wildcard or separator. */
public record DeviceId(String value) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public DeviceId {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException("device id '" + value
                    + "' must be 1-128 characters of letters, digits, '.', '_' and '-'");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
