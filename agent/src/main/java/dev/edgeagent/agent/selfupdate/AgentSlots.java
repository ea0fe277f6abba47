package dev.edgeagent.agent.selfupdate;

import dev.edgeagent.protocol.AgentVersion;
import dev.edgeagent.security.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's own releases under {@code <root>/agent/}, shared with the launcher ({@code bin/edgeagent}), which
 * reads and writes the same files in shell: hence {@code key=value} lines, not JSON.
 *
 * <pre>
 * &lt;version&gt;/edgeagent.jar   an installed release (a directory made whole, then renamed into place)
 * current                     symlink to the release the launcher starts; absent: the packaged jar
 * trial                       version, previous, graceSeconds, attempts and pid (the launcher's)
 * trial-reason                why the launcher's watchdog stopped the release on trial (it never writes the trial)
 * highest                     the highest version ever committed: nothing older or equal is installed again
 * last-update                 version, outcome (committed | rolled-back), reason, at, reported (0 | 1)
 * failed/&lt;version&gt;           the trial file of a release that was rolled back
 * </pre>
 */
public record AgentSlots(Path dir) {
    /** What {@code previous} says when the packaged jar ran before the trial. */
    public static final String PACKAGED = "packaged";

    public static AgentSlots under(Path root) {
        return new AgentSlots(root.resolve("agent"));
    }

    public Path release(AgentVersion v) {
        return dir.resolve(v.toString());
    }

    public Path current() {
        return dir.resolve("current");
    }

    public Path trial() {
        return dir.resolve("trial");
    }

    public Path highestFile() {
        return dir.resolve("highest");
    }

    public Path lastUpdate() {
        return dir.resolve("last-update");
    }

    /** The version {@code current} points at, or {@link #PACKAGED} when there is no link. */
    public String currentTarget() throws IOException {
        Path link = current();
        if (!Files.isSymbolicLink(link)) {
            return PACKAGED;
        }
        return Files.readSymbolicLink(link).toString();
    }

    /** The highest version ever committed here, if any. */
    public Optional<AgentVersion> highest() throws IOException {
        if (!Files.exists(highestFile(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(AgentVersion.parse(Files.readString(highestFile(), StandardCharsets.US_ASCII).strip()));
    }

    public Optional<Map<String, String>> read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(parse(Files.readString(file, StandardCharsets.UTF_8)));
    }

    public void write(Path file, Map<String, String> values) throws IOException {
        AtomicFiles.write(file, format(values).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code key=value} lines; a line without '=' is ignored. */
    public static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    /** One {@code key=value} line each; line breaks in a value become spaces (a reason is free text). */
    public static String format(Map<String, String> values) {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(k).append('=').append(v.replace('\n', ' ').replace('\r', ' ')).append('\n'));
        return b.toString();
    }
}
