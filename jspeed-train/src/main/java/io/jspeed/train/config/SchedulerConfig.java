package io.jspeed.train.config;

import java.util.List;

/**
 * The learning-rate schedule ({@code scheduler.type} and {@code scheduler.params}) as a factor on the peak lr.
 * {@code minLrRatio} is used by WarmupCosineLR only and {@code warmupSteps} by the two warmup schedules.
 */
public record SchedulerConfig(String type, int warmupSteps, float minLrRatio) {

    static final List<String> TYPES = List.of("WarmupCosineLR", "WarmupLR", "constant");

    public SchedulerConfig {
        if (type == null || !TYPES.contains(type)) {
            throw ConfigException.invalid("scheduler.type", ModelConfig.quote(type),
                    "one of \"WarmupCosineLR\", \"WarmupLR\", \"constant\"");
        }
        if (warmupSteps < 0) {
            throw ConfigException.invalid("scheduler.params.warmup_num_steps", warmupSteps, "an integer >= 0");
        }
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw ConfigException.invalid("scheduler.params.cos_min_ratio", minLrRatio, "a number in [0, 1]");
        }
    }

    /**
     * The factor on the peak learning rate at 0-based {@code step} of a run of {@code totalSteps}.
     * Warmup rises linearly from 0 (at step 0) to 1 (at {@code warmupSteps}), as DeepSpeed's linear warmup does;
     * WarmupCosineLR then follows half a cosine down to {@code minLrRatio}, reached at {@code totalSteps} and held
     * after it; WarmupLR stays at 1; constant is 1 throughout.
     */
    public double lrFactor(int step, int totalSteps) {
        if (step < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("step " + step + " of " + totalSteps
                    + ": expected step >= 0 and totalSteps >= 1");
        }
        if (type.equals("constant")) {
            return 1.0;
        }
        if (step < warmupSteps) {
            return (double) step / warmupSteps;
        }
        if (type.equals("WarmupLR")) {
            return 1.0;
        }
        int decaySteps = totalSteps - warmupSteps;
        double progress = decaySteps <= 0 ? 1.0 : Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return minLrRatio + (1.0 - minLrRatio) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }
}
