package dev.edgeagent.runtime.supervise;

import dev.edgeagent.protocol.RestartMode;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a stopped container runs again, and after how long: capped exponential backoff over consecutive
 * failures, so a crash loop slows down instead of hammering the device. Pure.
 */
public record RestartPolicy(RestartMode mode, Duration firstDelay, Duration maxDelay) {
    /** A container that ran this long before it stopped was healthy: its backoff starts over. */
    public static final Duration HEALTHY_RUN = Duration.ofMinutes(10);

    public static RestartPolicy of(RestartMode mode) {
        return new RestartPolicy(mode, Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    public RestartPolicy {
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("restart delays must satisfy 0 <= first <= max");
        }
    }

    /**
     * The delay before the next start, or empty when the container stays stopped. {@code consecutive} counts the
     * restarts since the container last ran for {@link #HEALTHY_RUN}.
     */
    public Optional<Duration> next(ExitStatus exit, int consecutive) {
        boolean restart = switch (mode) {
            case NO -> false;
            case ON_FAILURE -> !exit.isSuccess();
            case ALWAYS -> true;
        };
        if (!restart) {
            return Optional.empty();
        }
        long millis = firstDelay.toMillis() << Math.min(Math.max(consecutive, 0), 30);
        return Optional.of(Duration.ofMillis(Math.min(millis, maxDelay.toMillis())));
    }
}
