package dev.edgeagent.agent.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvisionRequestTest {
    static List<String> args(String... extra) {
        List<String> a = new ArrayList<>(List.of("--device-id", "dev-1", "--broker", "ssl://broker.example:8883", "--ca", "/p/ca.pem",
                "--cert", "/p/dev.pem", "--key", "/p/dev.key", "--trust", "/p/trust.json"));
        a.addAll(List.of(extra));
        return a;
    }

    static String problem(List<String> a) {
        ProvisionException e = assertThrows(ProvisionException.class, () -> ProvisionRequest.parse(a));
        assertEquals(ProvisionException.USAGE, e.exitCode());
        return e.getMessage();
    }

    @Test
    void defaults() {
        ProvisionRequest r = ProvisionRequest.parse(args());
        assertEquals(Path.of("/etc/edgeagent/config.json"), r.config());
        assertEquals("generic-x86_64", r.profile());
        assertEquals(List.of(), r.groups());
        assertEquals(false, r.force());
    }

    @Test
    void groupsRepeatAndConfigAndForceAreTaken() {
        ProvisionRequest r = ProvisionRequest.parse(args("--group", "north", "--group", "canary", "--config", "/tmp/x/config.json",
                "--force", "--profile", "raspberry-pi-4", "--insecure-registry", "127.0.0.1:5000"));
        assertEquals(List.of("127.0.0.1:5000"), r.insecureRegistries());
        assertEquals(List.of("north", "canary"), r.groups());
        assertEquals(Path.of("/tmp/x/config.json"), r.config());
        assertTrue(r.force());
        assertEquals("raspberry-pi-4", r.profile());
    }

    @Test
    void eachBadArgumentIsNamed() {
        assertEquals("missing --device-id, --broker, --ca, --cert, --key, --trust", problem(List.of()));
        assertEquals("--broker must be ssl://HOST:PORT, got tcp://broker.example:1883",
                problem(args("--broker", "tcp://broker.example:1883")));
        assertEquals("--broker must be ssl://HOST:PORT, got ssl://broker.example", problem(args("--broker", "ssl://broker.example")));
        assertEquals("unknown option --colour", problem(args("--colour", "red")));
        assertEquals("--group needs a value", problem(args("--group")));
        assertEquals("--group 'North' must be 1-63 lowercase letters, digits and '-'", problem(args("--group", "North")));
        assertTrue(problem(args("--device-id", "../etc")).startsWith("--device-id: "));
        assertEquals("--insecure-registry must be HOST or HOST:PORT, got http://r:5000", problem(args("--insecure-registry", "http://r:5000")));
    }
}
