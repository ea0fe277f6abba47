package dev.edgeagent.edgectl;

import java.util.ArrayList;
import java.util.List;

/**
 * How a rollout splits a group into waves: the canaries first, then each percentage of the whole group reached in
 * turn (cumulative, rounded up), the last wave always reaching everyone; and how many failures a wave may have.
 */
record RolloutPlan(List<List<String>> waves, FailureBudget budget) {
    /** Failures a wave may have before the rollout halts: a count, or a percentage of the wave (rounded down). */
    record FailureBudget(int count, boolean percent) {
        FailureBudget {
            if (count < 0 || (percent && count > 100)) {
                throw new IllegalArgumentException("--max-failures must be a count or a percentage from 0% to 100%");
            }
        }

        static FailureBudget parse(String text) {
            boolean percent = text.endsWith("%");
            try {
                return new FailureBudget(Integer.parseInt(percent ? text.substring(0, text.length() - 1) : text), percent);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--max-failures takes a count (2) or a percentage (10%), not '" + text + "'");
            }
        }

        boolean exceeded(int failures, int waveSize) {
            int allowed = percent ? waveSize * count / 100 : count;
            return failures > allowed;
        }
    }

    RolloutPlan {
        waves = waves.stream().map(List::copyOf).toList();
    }

    static RolloutPlan of(List<String> devices, int canary, List<Integer> percents, FailureBudget budget) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("the group has no devices to roll out to");
        }
        if (canary < 0) {
            throw new IllegalArgumentException("--canary must not be negative");
        }
        List<Integer> targets = new ArrayList<>();
        int total = devices.size();
        if (canary > 0) {
            targets.add(Math.min(canary, total));
        }
        for (int p : percents) {
            if (p < 1 || p > 100) {
                throw new IllegalArgumentException("wave percentages are 1 to 100, got " + p);
            }
            targets.add((int) Math.ceil(total * p / 100.0));
        }
        targets.add(total);
        List<List<String>> waves = new ArrayList<>();
        int done = 0;
        for (int t : targets) {
            if (t > done) {
                waves.add(devices.subList(done, t));
                done = t;
            }
        }
        return new RolloutPlan(waves, budget);
    }
}
