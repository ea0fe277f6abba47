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

    @Test
    void skipsEveryRangeTheHostsSubuidAndSubgidFilesHandOut() {
        List<SubordinateIds> subuid = SubordinateIds.parse("/etc/subuid", """
                # people's own user namespaces
                alice:1048576:65536
                bob:1179648:131072
                not an entry
                dave:x:65536
                """);
        List<SubordinateIds> subgid = SubordinateIds.parse("/etc/subgid", "carol:1400000:10\n");
        assertEquals(3, subuid.size() + subgid.size(), "malformed lines hand out nothing");
        List<IdRange> reserved = new ArrayList<>();
        subuid.forEach(e -> reserved.add(e.range()));
        subgid.forEach(e -> reserved.add(e.range()));
        List<IdRange> taken = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            IdRange next = IdRangeAllocator.next(taken, reserved);
            for (IdRange r : reserved) {
                assertFalse(next.overlaps(r), next + " overlaps " + r);
            }
            taken.add(next);
            starts.add(next.hostStart());
        }
        // Block 16 is alice's, 18-19 bob's, 21 holds carol's ten ids.
        assertEquals(List.of(17 * 65536L, 20 * 65536L, 22 * 65536L), starts);
        assertEquals("/etc/subgid entry carol:1400000:10",
                SubordinateIds.overlapping(new IdRange(21 * 65536L, 65536), subgid).orElseThrow().describe());
    }
}
