package io.jspeed.infer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StopStringsTest {

    @Test
    void holdsBackAPossibleStartAndCutsAtTheStop() {
        StopStrings s = new StopStrings(List.of("\n\n", "END"));
        assertThat(s.accept("Hello E")).isEqualTo("Hello ");
        assertThat(s.accept("N")).isEmpty();
        assertThat(s.accept("x")).isEqualTo("ENx");
        assertThat(s.accept(" done\n")).isEqualTo(" done");
        assertThat(s.accept("\nmore")).isEmpty();
        assertThat(s.stopped()).isTrue();
        assertThat(s.accept("ignored")).isEmpty();
    }

    @Test
    void flushReturnsHeldTextWhenNoStopCompletes() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.accept("the E")).isEqualTo("the ");
        assertThat(s.flush()).isEqualTo("E");
        assertThat(s.stopped()).isFalse();
    }
}
