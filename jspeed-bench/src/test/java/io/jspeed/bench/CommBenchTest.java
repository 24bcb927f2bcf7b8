package io.jspeed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The driver's bookkeeping (sizes, bus factors, JSON keys), not its speed: timings here would mean nothing. */
class CommBenchTest {

    @Test
    void busFactorsAreNcclTests() {
        assertThat(CommBench.Collective.ALL_REDUCE.busFactor(4)).isEqualTo(1.5);
        assertThat(CommBench.Collective.REDUCE_SCATTER.busFactor(4)).isEqualTo(0.75);
        assertThat(CommBench.Collective.ALL_GATHER.busFactor(2)).isEqualTo(0.5);
        assertThat(CommBench.Collective.BROADCAST.busFactor(8)).isEqualTo(1.0);
        assertThat(CommBench.Collective.ALL_REDUCE.busFactor(1)).isEqualTo(0.0);
    }

    @Test
    void reportsEveryCollectiveAndSizeAsJsonLines() throws Exception {
        CommBench.Report report = CommBench.runLocal(3, 1024, 20, Duration.ofSeconds(60));
        List<String> lines = report.jsonLines();
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(lines.getFirst()).get("memcpy_gbps").asDouble()).isPositive();
        assertThat(lines).hasSize(1 + 5); // memcpy, then 5 collectives at 1 KiB
        for (String line : lines.subList(1, lines.size())) {
            JsonNode r = json.readTree(line);
            assertThat(r.get("backend").asText()).isEqualTo("local");
            assertThat(r.get("ranks").asInt()).isEqualTo(3);
            CommBench.Collective c = CommBench.Collective.valueOf(
                    r.get("op").asText().replaceAll("([A-Z])", "_$1").toUpperCase(java.util.Locale.ROOT));
            // 1 KiB over 3 ranks: 85 floats per rank, so the per-rank collectives move 3 x 85 x 4 bytes.
            long bytes = r.get("bytes").asLong();
            assertThat(bytes).isEqualTo(c == CommBench.Collective.ALL_REDUCE || c == CommBench.Collective.BROADCAST ? 1024 : 1020);
            assertThat(r.get("busbw_gbps").asDouble()).isCloseTo(r.get("algbw_gbps").asDouble() * c.busFactor(3), within(2e-3));
        }
        assertThat(report.table()).contains("allReduce").contains("broadcast").contains("memcpy");
    }

    @Test
    void sizesReadAsPowersOfTwo() {
        assertThat(CommBench.size(1024)).isEqualTo("1 KiB");
        assertThat(CommBench.size(64L << 20)).isEqualTo("64 MiB");
        assertThat(CommBench.size(1020)).isEqualTo("1020 B");
    }
}
