package dev.edgeagent.security.userns;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Picks a free, aligned 65536-id block for a new app. Pure: the caller persists what it picked.
 * Blocks start at {@link #FIRST_HOST_ID}, clear of the 100000-range that /etc/subuid usually hands to people, and
 * skip every range passed as reserved (the host's /etc/subuid and /etc/subgid entries, wherever they lie).
 */
public final class IdRangeAllocator {
    public static final long FIRST_HOST_ID = 16 * IdRange.APP_RANGE_SIZE;
    private static final long LAST_BLOCK_START = 0xFFFF_0000L - IdRange.APP_RANGE_SIZE;

    private IdRangeAllocator() {}

    public static IdRange next(Collection<IdRange> taken) {
        return next(taken, List.of());
    }

    /** A block that overlaps neither another app's range nor a reserved one. */
    public static IdRange next(Collection<IdRange> taken, Collection<IdRange> reserved) {
        List<IdRange> sorted = java.util.stream.Stream.concat(taken.stream(), reserved.stream())
                .sorted(Comparator.comparingLong(IdRange::hostStart)).toList();
        long candidate = FIRST_HOST_ID;
        for (IdRange used : sorted) {
            IdRange probe = new IdRange(candidate, IdRange.APP_RANGE_SIZE);
            if (!probe.overlaps(used)) {
                if (probe.hostEnd() < used.hostStart()) {
                    return probe;
                }
                continue;
            }
            long afterUsed = used.hostEnd() + 1;
            candidate = ((afterUsed + IdRange.APP_RANGE_SIZE - 1) / IdRange.APP_RANGE_SIZE) * IdRange.APP_RANGE_SIZE;
        }
        if (candidate > LAST_BLOCK_START) {
            throw new IllegalStateException("no free user-namespace id range left");
        }
        return new IdRange(candidate, IdRange.APP_RANGE_SIZE);
    }
}
