package dev.edgeagent.agent.doctor;

import dev.edgeagent.runtime.network.CniPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Reads {@link NetworkDoctor.Facts} from /usr/lib/cni, /proc/sys and /sys/module. */
public final class NetworkProbe {
    private NetworkProbe() {}

    public static NetworkDoctor.Facts probe() {
        Set<String> plugins = new HashSet<>();
        for (String p : NetworkDoctor.PLUGINS) {
            if (Files.isExecutable(CniPlugins.DEBIAN_PATH.resolve(p))) {
                plugins.add(p);
            }
        }
        Set<String> kernel = new HashSet<>();
        NetworkDoctor.KERNEL_SIGNS.forEach((part, sign) -> {
            if (Files.isDirectory(Path.of(sign))) {
                kernel.add(part);
            }
        });
        String forward;
        try {
            forward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        } catch (java.io.IOException e) {
            forward = "unreadable";
        }
        boolean iptables = Files.isExecutable(Path.of("/usr/sbin/iptables")) || Files.isExecutable(Path.of("/sbin/iptables"));
        return new NetworkDoctor.Facts(plugins, forward, kernel, iptables);
    }
}
