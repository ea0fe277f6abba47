package dev.edgeagent.agent.doctor;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * runc releases known to let a container escape to the host, judged from what {@code runc --version} prints and
 * the CVE ids the distribution's package changelog names as fixed (Debian backports fixes without a new upstream
 * version: bookworm's 1.1.5+ds1-1+deb12u1 carries the CVE-2024-21626 fix). Pure.
 */
final class RuncAdvisories {
    record Advisory(String cve, Version fixedIn, String summary) {}

    /** A runc version; {@code rc} is {@link Integer#MAX_VALUE} for a release, which sorts after its candidates. */
    record Version(int major, int minor, int patch, int rc) implements Comparable<Version> {
        private static final Pattern TEXT = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)(?:[-~]rc\\.?(\\d+))?");

        /** The first version in a line such as "runc version 1.1.5+ds1" or "runc version 1.0.0-rc6". */
        static Optional<Version> find(String text) {
            Matcher m = TEXT.matcher(text);
            if (!m.find()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        m.group(4) == null ? Integer.MAX_VALUE : Integer.parseInt(m.group(4))));
            } catch (NumberFormatException tooLong) {
                return Optional.empty();
            }
        }

        @Override
        public int compareTo(Version o) {
            int c = Integer.compare(major, o.major);
            c = c != 0 ? c : Integer.compare(minor, o.minor);
            c = c != 0 ? c : Integer.compare(patch, o.patch);
            return c != 0 ? c : Integer.compare(rc, o.rc);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + patch + (rc == Integer.MAX_VALUE ? "" : "-rc" + rc);
        }
    }

    static final List<Advisory> KNOWN = List.of(
            new Advisory("CVE-2019-5736", new Version(1, 0, 0, 7), "a container can overwrite the host's runc binary"),
            new Advisory("CVE-2024-21626", new Version(1, 1, 12, Integer.MAX_VALUE),
                    "a leaked file descriptor gives a container's process a working directory on the host"));

    private RuncAdvisories() {}

    /** The advisories {@code version} is exposed to, less those whose CVE id the package's changelog names. */
    static List<Advisory> exposures(Version version, Set<String> fixedByPackage) {
        return KNOWN.stream().filter(a -> version.compareTo(a.fixedIn()) < 0 && !fixedByPackage.contains(a.cve())).toList();
    }
}
