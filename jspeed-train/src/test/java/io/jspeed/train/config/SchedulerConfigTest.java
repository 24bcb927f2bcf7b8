package io.jspeed.train.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SchedulerConfigTest {

    private static final double TOL = 1e-12;

    @Test
    void warmupCosineAtItsLandmarks() {
        SchedulerConfig s = new SchedulerConfig("WarmupCosineLR", 50, 0.1f);
        int total = 850;
        assertThat(s.lrFactor(0, total)).isEqualTo(0.0);
        assertThat(s.lrFactor(25, total)).isCloseTo(0.5, within(TOL));
        assertThat(s.lrFactor(49, total)).isCloseTo(49.0 / 50, within(TOL));
        assertThat(s.lrFactor(50, total)).isCloseTo(1.0, within(TOL));
        // Halfway through the decay the cosine is at 0, so the factor is halfway between 1 and the floor.
        assertThat(s.lrFactor(450, total)).isCloseTo((1.0 + 0.1f) / 2, within(TOL));
        // A quarter through: cos(pi/4) = sqrt(2)/2.
        double min = 0.1f;
        assertThat(s.lrFactor(250, total)).isCloseTo(min + (1 - min) * 0.5 * (1 + Math.sqrt(0.5)), within(TOL));
        assertThat(s.lrFactor(total, total)).isCloseTo(0.1f, within(TOL));
        assertThat(s.lrFactor(total + 100, total)).isCloseTo(0.1f, within(TOL));
        assertThat(s.lrFactor(total - 1, total)).isGreaterThan(0.1f).isLessThan(0.1f + 1e-4);
    }

    @Test
    void decayIsMonotoneAfterWarmup() {
        SchedulerConfig s = new SchedulerConfig("WarmupCosineLR", 10, 0.0f);
        double previous = Double.MAX_VALUE;
        for (int step = 10; step <= 100; step++) {
            double f = s.lrFactor(step, 100);
            assertThat(f).isLessThanOrEqualTo(previous);
            previous = f;
        }
        assertThat(previous).isCloseTo(0.0, within(TOL));
    }

    @Test
    void warmupLrHoldsOneAfterWarmup() {
        SchedulerConfig s = new SchedulerConfig("WarmupLR", 4, 1f);
        assertThat(s.lrFactor(0, 100)).isEqualTo(0.0);
        assertThat(s.lrFactor(2, 100)).isCloseTo(0.5, within(TOL));
        assertThat(s.lrFactor(4, 100)).isEqualTo(1.0);
        assertThat(s.lrFactor(99, 100)).isEqualTo(1.0);
        assertThat(s.lrFactor(500, 100)).isEqualTo(1.0);
    }

    @Test
    void constantIsOne() {
        SchedulerConfig s = new SchedulerConfig("constant", 0, 1f);
        assertThat(s.lrFactor(0, 10)).isEqualTo(1.0);
        assertThat(s.lrFactor(9, 10)).isEqualTo(1.0);
    }

    @Test
    void noWarmupStartsAtOneAndShortRunsEndAtTheFloor() {
        assertThat(new SchedulerConfig("WarmupCosineLR", 0, 0.2f).lrFactor(0, 10)).isCloseTo(1.0, within(TOL));
        // A run shorter than its warmup has nothing left to decay over.
        assertThat(new SchedulerConfig("WarmupCosineLR", 50, 0.2f).lrFactor(60, 40)).isCloseTo(0.2f, within(TOL));
    }

    @Test
    void rejectsBadArgumentsAndFields() {
        SchedulerConfig s = new SchedulerConfig("WarmupLR", 4, 1f);
        assertThatThrownBy(() -> s.lrFactor(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.lrFactor(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SchedulerConfig("cosine", 4, 0.1f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("scheduler.type").hasMessageContaining("WarmupCosineLR");
        assertThatThrownBy(() -> new SchedulerConfig("WarmupLR", -1, 1f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("scheduler.params.warmup_num_steps");
        assertThatThrownBy(() -> new SchedulerConfig("WarmupCosineLR", 1, 1.5f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("scheduler.params.cos_min_ratio");
    }
}
