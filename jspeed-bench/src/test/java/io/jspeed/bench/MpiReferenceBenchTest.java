package io.jspeed.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MpiReferenceBenchTest {

    @Test
    void compilesTheCReferenceAndReadsOneRowPerSizeAtTinySizes(@TempDir Path dir) {
        MpiReferenceBench.unavailable().ifPresent(System.err::println);
        assumeTrue(MpiReferenceBench.unavailable().isEmpty(), () -> MpiReferenceBench.unavailable().orElseThrow());
        for (boolean nonblocking : new boolean[] {false, true}) {
            List<MpiReferenceBench.Row> rows = MpiReferenceBench.compile(dir).run(2, 1024, 4096, nonblocking);
            assertThat(rows).extracting(MpiReferenceBench.Row::bytes).containsExactly(1024L, 4096L);
            for (MpiReferenceBench.Row row : rows) {
                assertThat(row.iterations()).isEqualTo(MpiReferenceBench.iterations(row.bytes()));
                assertThat(row.seconds()).isPositive();
                // 2 ranks: busbw = algbw * 2(n-1)/n = algbw, up to the printed precision
                assertThat(row.busbwGBs()).isCloseTo(row.algbwGBs(), org.assertj.core.data.Offset.offset(0.002));
            }
        }
    }

    @Test
    void parsesRowsAndSkipsHeadersAndNotices() {
        String out = """
                # ranks=2 mode=blocking
                # bytes iterations seconds_per_call algbw_GBps busbw_GBps
                1024 200 0.000000546 1.876 1.876
                --------------------------------------------------------------------------
                268435456 5 0.120000000 2.237 2.237
                """;
        assertThat(MpiReferenceBench.parse(out)).containsExactly(
                new MpiReferenceBench.Row(1024, 200, 0.000000546, 1.876, 1.876),
                new MpiReferenceBench.Row(268435456, 5, 0.12, 2.237, 2.237));
    }

    @Test
    void iterationCountsFollowTheCProgramsSchedule() {
        assertThat(MpiReferenceBench.iterations(1024)).isEqualTo(200);
        assertThat(MpiReferenceBench.iterations(16L << 20)).isEqualTo(64);
        assertThat(MpiReferenceBench.iterations(256L << 20)).isEqualTo(5);
    }
}
