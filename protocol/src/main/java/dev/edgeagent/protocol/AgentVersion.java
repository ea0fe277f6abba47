package dev.edgeagent.protocol;

/**
 * An agent release's version, {@code MAJOR.MINOR.PATCH} (numbers only: a version must order without doubt, since
 * a device takes only a higher one than it ever ran). Safe as a directory name.
 */
public record AgentVersion(int major, int minor, int patch) implements Comparable<AgentVersion> {
    public AgentVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers must not be negative");
        }
    }

    public static AgentVersion parse(String s) {
        if (s == null || !s.matches("(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})")) {
            throw new IllegalArgumentException("agent version '" + s + "' must be MAJOR.MINOR.PATCH, e.g. 0.2.0");
        }
        String[] p = s.split("\\.");
        return new AgentVersion(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    public boolean isAfter(AgentVersion other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(AgentVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
