package dev.edgeagent.security.userns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdRangeAllocatorTest {
    @Test
    void firstRangeStartsClearOfHostIds() {
        IdRange r = IdRangeAllocator.next(List.of());
        assertEquals(IdRangeAllocator.FIRST_HOST_ID, r.hostStart());
        assertEquals(65536, r.size());
    }

    @Test
    void rangesNeverOverlapAndFillGaps() {
        List<IdRange> taken = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            IdRange next = IdRangeAllocator.next(taken);
            for (IdRange t : taken) {
                assertFalse(next.overlaps(t), next + " overlaps " + t);
            }
            taken.add(next);
        }
        IdRange freed = taken.remove(10);
        assertEquals(freed, IdRangeAllocator.next(taken));
        IdRange odd = new IdRange(IdRangeAllocator.FIRST_HOST_ID + 100, 10);
        IdRange afterOdd = IdRangeAllocator.next(List.of(odd));
        assertFalse(afterOdd.overlaps(odd));
    }

    @Test
    void hostRootIsNeverInARange() {
        assertThrows(IllegalArgumentException.class, () -> new IdRange(0, 65536));
        assertThrows(IllegalArgumentException.class, () -> new IdRange(1, 65536).toHost(65536));
    }
}
