package dev.edgeagent.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkDoctorTest {
    private static Finding find(List<Finding> fs, String check) {
        return fs.stream().filter(f -> f.check().equals(check)).findFirst().orElseThrow();
    }

    @Test
    void aHostReadyForBridgeAppsIsAllOk() {
        List<Finding> fs = NetworkDoctor.evaluate(new NetworkDoctor.Facts(Set.copyOf(NetworkDoctor.PLUGINS), "1",
                Set.copyOf(NetworkDoctor.KERNEL), true));
        assertTrue(fs.stream().allMatch(f -> f.level() == Finding.Level.OK), fs.toString());
    }

    @Test
    void eachGapIsAWarningWithItsFix() {
        List<Finding> fs = NetworkDoctor.evaluate(new NetworkDoctor.Facts(Set.of("bridge"), "0", Set.of("bridge"), false));
        assertTrue(Doctor.healthy(fs), "none and host apps still run");
        assertEquals(Finding.Level.WARN, find(fs, "CNI plugins").level());
        assertTrue(find(fs, "CNI plugins").detail().contains("portmap"));
        assertTrue(find(fs, "CNI plugins").fix().contains("containernetworking-plugins"));
        assertTrue(find(fs, "ip_forward").fix().contains("net.ipv4.ip_forward=1"));
        assertTrue(find(fs, "bridge and netfilter").fix().contains("modprobe"));
        assertTrue(find(fs, "bridge and netfilter").detail().contains("netfilter"));
        assertEquals(Finding.Level.WARN, find(fs, "iptables").level());
    }

    @Test
    void thisHostIsProbed() {
        NetworkDoctor.Facts f = NetworkProbe.probe();
        assertTrue(f.plugins().containsAll(NetworkDoctor.PLUGINS), "this host has Debian's CNI plugins: " + f);
        assertTrue(f.iptables(), f.toString());
        assertTrue(f.kernelParts().containsAll(NetworkDoctor.KERNEL), "this kernel runs bridge apps (AppNetworkIT): " + f);
    }
}
