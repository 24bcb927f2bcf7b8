package io.jspeed.comm.local;

import io.jspeed.comm.DeviceMesh;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sub-groups from split and the data x sequence mesh built from them. */
class SplitTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void splitOrdersByKeyAndReducesWithinTheColorOnly() {
        // 5 ranks: colors by parity; key reverses the order within a color.
        List<String> results = LocalCluster.call(5, TIMEOUT, g -> {
            ProcessGroup sub = g.split(g.rank() % 2, -g.rank());
            float[] x = {g.rank() + 1, 10f * (g.rank() + 1)};
            sub.allReduce(x, 0, 2, ReduceOp.SUM);
            float[] gathered = new float[sub.size()];
            sub.allGather(new float[]{g.rank()}, 0, gathered, 0, 1);
            String r = sub.name() + " " + sub.rank() + "/" + sub.size() + " sum=" + x[0] + "," + x[1] + " order=" + java.util.Arrays.toString(gathered);
            sub.close();
            return r;
        });
        assertThat(results).containsExactly(
                "world/0 2/3 sum=9.0,90.0 order=[4.0, 2.0, 0.0]",
                "world/1 1/2 sum=6.0,60.0 order=[3.0, 1.0]",
                "world/0 1/3 sum=9.0,90.0 order=[4.0, 2.0, 0.0]",
                "world/1 0/2 sum=6.0,60.0 order=[3.0, 1.0]",
                "world/0 0/3 sum=9.0,90.0 order=[4.0, 2.0, 0.0]");
    }

    @Test
    void mesh2x2HasSequenceInnermost() {
        List<String> results = LocalCluster.call(4, TIMEOUT, g -> {
            try (DeviceMesh mesh = DeviceMesh.of(g, 2, 2)) {
                float[] d = {g.rank()};
                mesh.data().allReduce(d, 0, 1, ReduceOp.SUM);
                float[] s = {g.rank()};
                mesh.sequence().allReduce(s, 0, 1, ReduceOp.SUM);
                return mesh.data().name() + " r" + mesh.data().rank() + " sum=" + d[0] + " | "
                        + mesh.sequence().name() + " r" + mesh.sequence().rank() + " sum=" + s[0];
            }
        });
        // World rank = data index * 2 + sequence index: sequence groups {0,1}, {2,3}; data groups {0,2}, {1,3}.
        assertThat(results).containsExactly(
                "data[0] r0 sum=2.0 | sequence[0] r0 sum=1.0",
                "data[1] r0 sum=4.0 | sequence[0] r1 sum=1.0",
                "data[0] r1 sum=2.0 | sequence[1] r0 sum=5.0",
                "data[1] r1 sum=4.0 | sequence[1] r1 sum=5.0");
    }

    @Test
    void meshMustCoverTheWorld() {
        assertThatThrownBy(() -> LocalCluster.run(4, TIMEOUT, g -> DeviceMesh.of(g, 3, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device mesh data=3 x sequence=2 does not cover group world of 4 ranks (need data x sequence = 4)");
    }

    @Test
    void dataParallelMeshOfOneRank() {
        LocalCluster.run(1, TIMEOUT, g -> {
            DeviceMesh mesh = DeviceMesh.dataParallel(g);
            assertThat(mesh.dataSize()).isEqualTo(1);
            assertThat(mesh.sequenceSize()).isEqualTo(1);
            float[] x = {3f};
            mesh.data().allReduce(x, 0, 1, ReduceOp.AVG);
            assertThat(x[0]).isEqualTo(3f);
        });
    }
}
