package dev.edgeagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a person at the device's console sees from the command line. */
class MainTest {
    record Outcome(int exit, String out, String err) {}

    static synchronized Outcome run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Outcome(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpGoesToStdoutAndExitsZero() {
        for (String flag : new String[] {"--help", "-h", "help"}) {
            Outcome r = run(flag);
            assertEquals(0, r.exit(), flag);
            assertTrue(r.out().contains("edgeagent provision --device-id ID"), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void aUsageErrorIsOneLineThatNamesTheProblem() {
        Outcome r = run("frobnicate");
        assertEquals(2, r.exit());
        assertEquals("edgeagent: unknown command 'frobnicate' (edgeagent --help shows the usage)\n", r.err());
        assertEquals("", r.out());
        Outcome none = run();
        assertEquals(2, none.exit());
        assertEquals(1, none.err().lines().count(), none.err());
        Outcome extra = run("run", "--config");
        assertEquals(2, extra.exit());
        assertEquals("edgeagent: run takes only --config FILE (edgeagent --help shows the usage)\n", extra.err());
        Outcome pull = run("pull", "127.0.0.1:5000/demo:1");
        assertEquals(2, pull.exit());
        assertEquals("edgeagent: pull: --config is required (edgeagent --help shows the usage)\n", pull.err());
    }

    @Test
    void provisionUsageErrorsAreOneLine() {
        Outcome r = run("provision", "--device-id", "d1");
        assertEquals(2, r.exit());
        assertEquals("edgeagent: provision: missing --broker, --ca, --cert, --key, --trust (edgeagent --help shows the usage)\n", r.err());
    }

    @Test
    void versionPrintsTheVersion() {
        Outcome r = run("version");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("edgeagent "), r.out());
    }
}
