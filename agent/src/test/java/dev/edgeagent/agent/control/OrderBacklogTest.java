package dev.edgeagent.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OrderBacklogTest {
    @Test
    void ordersAreAdmittedUpToTheCeilingAndAgainOnceOthersHaveRun() {
        OrderBacklog backlog = new OrderBacklog(100);
        assertTrue(backlog.admit(60));
        assertTrue(backlog.admit(40));
        assertFalse(backlog.admit(1), "full");
        assertEquals(100, backlog.waiting());
        backlog.release(60);
        assertFalse(backlog.admit(61), "over by one");
        assertTrue(backlog.admit(60));
        assertEquals(100, backlog.waiting());
    }

    @Test
    void anOrderLargerThanTheCeilingStillRunsWhenNothingWaits() {
        OrderBacklog backlog = new OrderBacklog(100);
        assertTrue(backlog.admit(500));
        assertFalse(backlog.admit(1));
        backlog.release(500);
        assertEquals(0, backlog.waiting());
    }

    @Test
    void theDefaultHoldsSixtyFourOfTheLargestOrders() {
        OrderBacklog backlog = OrderBacklog.forOrders(65536);
        for (int i = 0; i < 64; i++) {
            assertTrue(backlog.admit(65536), "order " + i);
        }
        assertFalse(backlog.admit(1));
        assertThrows(IllegalArgumentException.class, () -> new OrderBacklog(0));
    }

    @Test
    void concurrentOrdersNeverPassTheCeiling() throws Exception {
        OrderBacklog backlog = new OrderBacklog(1000);
        Thread[] threads = new Thread[4];
        java.util.concurrent.atomic.AtomicLong admitted = new java.util.concurrent.atomic.AtomicLong();
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (backlog.admit(7)) {
                        admitted.addAndGet(7);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(admitted.get() <= 1000, "admitted " + admitted.get());
        assertEquals(admitted.get(), backlog.waiting());
    }
}
