package dev.edgeagent.profiles;

import java.util.Optional;
import java.util.regex.Pattern;

/** An OCI platform: the os/arch[/variant] an image must be built for to run on a device. */
public record Platform(String os, String architecture, Optional<String> variant) {
    private static final Pattern WORD = Pattern.compile("[a-z0-9]+");

    public Platform {
        for (String part : new String[] {os, architecture, variant.orElse("v")}) {
            if (part == null || !WORD.matcher(part).matches()) {
                throw new IllegalArgumentException("platform part '" + part + "' must be lowercase letters and digits");
            }
        }
    }

    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("platform '" + text + "' must be os/arch or os/arch/variant");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    /** The platform of the JVM's host, in OCI names. */
    public static Platform host() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64", Optional.empty());
            case "aarch64", "arm64" -> new Platform("linux", "arm64", Optional.empty());
            case "arm" -> new Platform("linux", "arm", Optional.of("v7"));
            default -> throw new IllegalStateException("unsupported host architecture " + arch);
        };
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
