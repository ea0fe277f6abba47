package dev.edgeagent.agent.memory;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeapShrinkerTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void anIdleHeapIsNeverCollected() {
        HeapShrinker shrinker = new HeapShrinker(24 * MIB, 8 * MIB);
        assertFalse(shrinker.due(8 * MIB, true));
        assertFalse(shrinker.due(15 * MIB, true), "grown, but not yet double");
    }

    @Test
    void aHeapABurstDoubledIsCollectedOnceUntilItGrowsAgain() {
        HeapShrinker shrinker = new HeapShrinker(24 * MIB, 8 * MIB);
        assertTrue(shrinker.due(64 * MIB, true));
        shrinker.collected(20 * MIB);
        assertFalse(shrinker.due(20 * MIB, true), "what the collection left is the new baseline");
        assertFalse(shrinker.due(39 * MIB, true));
        assertTrue(shrinker.due(40 * MIB, true));
    }

    @Test
    void aBurstStillGoingOnIsNotCollected() {
        HeapShrinker shrinker = new HeapShrinker(24 * MIB, 8 * MIB);
        assertFalse(shrinker.due(64 * MIB, false), "orders arrived since the last tick");
        assertTrue(shrinker.due(64 * MIB, true), "the first quiet tick after it");
    }

    @Test
    void aSmallHeapStaysBelowTheFloor() {
        HeapShrinker shrinker = new HeapShrinker(24 * MIB, 4 * MIB);
        assertFalse(shrinker.due(16 * MIB, true), "doubled, but too small to be worth a collection");
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HeapShrinker(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HeapShrinker(1, -1));
    }
}
