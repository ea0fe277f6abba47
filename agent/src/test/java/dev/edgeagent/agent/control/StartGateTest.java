package dev.edgeagent.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartGateTest {
    @Test
    void workWaitsUntilTheGateOpensThenRunsInArrivalOrderAndLaterWorkPassesStraightThrough() throws Exception {
        ExecutorService operations = Executors.newSingleThreadExecutor();
        try {
            StartGate gate = new StartGate();
            List<String> ran = new CopyOnWriteArrayList<>();
            gate.submit(operations, () -> ran.add("first"));
            gate.submit(operations, () -> ran.add("second"));
            operations.submit(() -> ran.add("set-up")).get(); // what the agent queues before it opens the gate
            assertEquals(List.of("set-up"), ran, "nothing held ran before the gate opened");

            assertEquals(2, gate.open(), "what was held");
            gate.submit(operations, () -> ran.add("after"));
            assertEquals(0, gate.open(), "a second open hands nothing over twice");
            operations.shutdown();
            operations.awaitTermination(10, TimeUnit.SECONDS);
            assertEquals(List.of("set-up", "first", "second", "after"), ran);
        } finally {
            operations.shutdownNow();
        }
    }

    @Test
    void heldWorkGoesToTheExecutorItWasMeantFor() throws Exception {
        ExecutorService queries = Executors.newSingleThreadExecutor(r -> new Thread(r, "queries-test"));
        ExecutorService operations = Executors.newSingleThreadExecutor(r -> new Thread(r, "operations-test"));
        try {
            StartGate gate = new StartGate();
            List<String> threads = new CopyOnWriteArrayList<>();
            gate.submit(queries, () -> threads.add(Thread.currentThread().getName()));
            gate.submit(operations, () -> threads.add(Thread.currentThread().getName()));
            gate.open();
            queries.shutdown();
            operations.shutdown();
            queries.awaitTermination(10, TimeUnit.SECONDS);
            operations.awaitTermination(10, TimeUnit.SECONDS);
            assertEquals(java.util.Set.of("queries-test", "operations-test"), java.util.Set.copyOf(threads));
        } finally {
            queries.shutdownNow();
            operations.shutdownNow();
        }
    }
}
