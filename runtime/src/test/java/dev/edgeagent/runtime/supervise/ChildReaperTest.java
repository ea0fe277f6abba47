package dev.edgeagent.runtime.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Exit statuses of orphans the agent adopts as a subreaper, as containers' init processes are adopted. */
class ChildReaperTest {
    /** Starts a shell that leaves an orphan behind (exiting with {@code code} after {@code seconds}) and returns its pid. */
    private static long orphan(double seconds, int code) throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", "(sleep " + seconds + "; exit " + code + ") >/dev/null 2>&1 & echo $!").start();
        String pid = new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        return Long.parseLong(pid);
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
    }

    @Test
    void oneThreadWatchesEveryContainerAndNoneIsLeftWhenTheyHaveEnded() throws Exception {
        ChildReaper reaper = ChildReaper.install().orElseThrow(() -> new AssertionError("prctl(PR_SET_CHILD_SUBREAPER) refused"));
        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            exits.add(reaper.watch(orphan(1.5, 10 + i), "app" + i));
        }
        List<String> names = threadNames();
        assertEquals(1, names.stream().filter(n -> n.startsWith("reap")).count(), "threads watching 5 containers: " + names);
        for (int i = 0; i < 5; i++) {
            int status = exits.get(i).get(20, TimeUnit.SECONDS);
            assertEquals(10 + i, (status >> 8) & 0xFF, "exit code of app" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (threadNames().contains("reaper") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(!threadNames().contains("reaper"), "the reaper thread stays while nothing is watched");
    }

    @Test
    void aProcessThatIsNotTheAgentsChildIsSaidToBeSo() throws Exception {
        ChildReaper reaper = ChildReaper.install().orElseThrow();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> reaper.watch(1, "init").get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("not the agent's child"), e.getCause().getMessage());
    }
}
