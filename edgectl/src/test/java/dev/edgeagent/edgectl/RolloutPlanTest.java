package dev.edgeagent.edgectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {
    static List<String> devices(int n) {
        return IntStream.range(0, n).mapToObj(i -> "d" + i).toList();
    }

    static List<Integer> sizes(RolloutPlan p) {
        return p.waves().stream().map(List::size).toList();
    }

    static final RolloutPlan.FailureBudget NONE = RolloutPlan.FailureBudget.parse("0");

    @Test
    void canariesFirstThenCumulativePercentagesRoundedUpAndEveryoneLast() {
        assertEquals(List.of(2, 23, 25), sizes(RolloutPlan.of(devices(50), 2, List.of(50, 100), NONE)));
        assertEquals(List.of(1, 2, 7), sizes(RolloutPlan.of(devices(10), 1, List.of(25), NONE)), "the last wave reaches everyone");
        assertEquals(List.of(3), sizes(RolloutPlan.of(devices(3), 5, List.of(50, 100), NONE)), "more canaries than devices");
        assertEquals(List.of(5, 5), sizes(RolloutPlan.of(devices(10), 0, List.of(50), NONE)));
        RolloutPlan p = RolloutPlan.of(devices(4), 1, List.of(100), NONE);
        assertEquals(List.of(List.of("d0"), List.of("d1", "d2", "d3")), p.waves());
    }

    @Test
    void badPlansAreRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.of(List.of(), 1, List.of(100), NONE));
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.of(devices(3), 1, List.of(0), NONE));
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.of(devices(3), -1, List.of(100), NONE));
        var e = assertThrows(IllegalArgumentException.class, () -> RolloutPlan.FailureBudget.parse("some"));
        assertTrue(e.getMessage().contains("--max-failures"), e.getMessage());
    }

    @Test
    void theFailureBudgetIsACountOrAShareOfTheWave() {
        assertTrue(NONE.exceeded(1, 2));
        assertFalse(NONE.exceeded(0, 2));
        RolloutPlan.FailureBudget tenPercent = RolloutPlan.FailureBudget.parse("10%");
        assertFalse(tenPercent.exceeded(2, 25));
        assertTrue(tenPercent.exceeded(3, 25));
        assertTrue(tenPercent.exceeded(1, 2), "10% of a canary wave of 2 allows no failure");
        assertFalse(RolloutPlan.FailureBudget.parse("2").exceeded(2, 25));
    }
}
