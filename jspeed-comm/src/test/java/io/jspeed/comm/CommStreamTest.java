package io.jspeed.comm;

import io.jspeed.comm.local.LocalCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommStreamTest {

    @Test
    void runsSubmittedCollectivesInOrderWhileTheCallerWorks() {
        List<float[]> results = LocalCluster.call(3, Duration.ofSeconds(30), g -> {
            try (CommStream stream = new CommStream(g)) {
                float[] grads = new float[3 * 4];
                for (int i = 0; i < grads.length; i++) grads[i] = g.rank() * 100 + i;
                float[] shard = new float[4];
                float[] full = new float[12];
                List<CommStream.Pending> pending = new ArrayList<>();
                pending.add(stream.reduceScatter(grads, 0, shard, 0, 4, ReduceOp.SUM));
                pending.add(stream.allGather(shard, 0, full, 0, 4));
                float[] scalar = {1f};
                pending.add(stream.allReduce(scalar, 0, 1, ReduceOp.SUM));
                for (CommStream.Pending p : pending) p.await();
                assertThat(scalar[0]).isEqualTo(3f);
                return full;
            }
        });
        float[] expected = new float[12];
        for (int i = 0; i < 12; i++) expected[i] = 300 + 3 * i; // sum over ranks of rank*100 + i
        for (float[] r : results) assertThat(r).containsExactly(expected);
    }

    @Test
    void awaitRethrowsAFailureAsCommException() {
        assertThatThrownBy(() -> LocalCluster.run(2, Duration.ofMillis(300), g -> {
            try (CommStream stream = new CommStream(g)) {
                float[] buf = new float[4];
                CommStream.Pending p = stream.allReduce(buf, 0, g.rank() == 0 ? 4 : 3, ReduceOp.SUM);
                p.await();
            }
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("allReduce #1 in group world: mismatched calls: rank 0 called allReduce(float, count=4, SUM)"
                        + " but rank 1 called allReduce(float, count=3, SUM)");
    }
}
