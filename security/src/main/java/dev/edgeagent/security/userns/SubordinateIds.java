package dev.edgeagent.security.userns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One entry of /etc/subuid or /etc/subgid ({@code owner:start:count}): host ids the host hands to a person's own
 * user namespaces. An app's range must never overlap one, or that person could act as the app's root on the host.
 */
public record SubordinateIds(String file, String owner, IdRange range) {
    public static final Path SUBUID = Path.of("/etc/subuid");
    public static final Path SUBGID = Path.of("/etc/subgid");

    /** The entries of one file; lines that are not {@code name:start:count} give no ids and are skipped, as newuidmap does. */
    public static List<SubordinateIds> parse(String file, String content) {
        List<SubordinateIds> out = new ArrayList<>();
        for (String line : content.split("\n")) {
            String[] f = line.strip().split(":");
            if (f.length != 3 || f[0].isEmpty() || f[0].startsWith("#")) {
                continue;
            }
            try {
                long start = Long.parseLong(f[1]);
                long count = Long.parseLong(f[2]);
                if (start == 0 && count > 1) { // id 0 is never an app's; the rest of the entry still counts
                    start = 1;
                    count--;
                }
                out.add(new SubordinateIds(file, f[0], new IdRange(start, count)));
            } catch (IllegalArgumentException notAnEntry) {
                // a number that does not parse, or a range outside the id space: no ids handed out
            }
        }
        return out;
    }

    /** Both files of this host; a file that does not exist hands out nothing. */
    public static List<SubordinateIds> readHost() throws IOException {
        return read(SUBUID, SUBGID);
    }

    public static List<SubordinateIds> read(Path... files) throws IOException {
        List<SubordinateIds> out = new ArrayList<>();
        for (Path p : files) {
            try {
                out.addAll(parse(p.toString(), Files.readString(p)));
            } catch (NoSuchFileException absent) {
                // nothing handed out
            }
        }
        return out;
    }

    /** The first entry that shares a host id with {@code range}. */
    public static Optional<SubordinateIds> overlapping(IdRange range, Collection<SubordinateIds> entries) {
        return entries.stream().filter(e -> e.range().overlaps(range)).findFirst();
    }

    /** As it stands in its file, e.g. {@code /etc/subuid entry alice:100000:65536}. */
    public String describe() {
        return file + " entry " + owner + ":" + range.hostStart() + ":" + range.size();
    }
}
