package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's IPv4 routes (/proc/net/route), default route left out: a new network's subnet must overlap none. */
final class HostRoutes {
    private HostRoutes() {}

    static List<NetRule> read() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/net/route")));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Lines of "Iface Destination Gateway Flags RefCnt Use Metric Mask …", addresses in little-endian hex. */
    static List<NetRule> parse(List<String> lines) {
        List<NetRule> out = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            int dest = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
            int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
            int prefix = Integer.bitCount(mask);
            if (prefix > 0) {
                out.add(new NetRule(dest, prefix, 0, "any"));
            }
        }
        return out;
    }
}
