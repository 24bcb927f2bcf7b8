package io.jspeed.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexIsCoveredExactlyOnce() {
        try (Parallel pool = new Parallel(3)) {
            for (int n : new int[] {1, 2, 7, 100, 1001}) {
                for (int chunks : new int[] {1, 3, 16, 5000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.forChunks(n, chunks, (s, e) -> {
                        for (int i = s; i < e; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertThat(hits.get(i)).as("n=%d chunks=%d index %d", n, chunks, i).isEqualTo(1);
                }
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forRange(n, (s, e) -> {
                    for (int i = s; i < e; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void manyConsecutiveCallsAllComplete() {
        try (Parallel pool = new Parallel(2)) {
            long[] sum = new long[1];
            for (int r = 0; r < 2000; r++) {
                long[] parts = new long[2];
                pool.forRange(2, (s, e) -> {
                    for (int i = s; i < e; i++) parts[i] = i + 1;
                });
                sum[0] += parts[0] + parts[1];
            }
            assertThat(sum[0]).isEqualTo(2000L * 3);
        }
    }

    @Test
    void exceptionInAWorkerChunkPropagatesToCaller() {
        try (Parallel pool = new Parallel(2)) {
            assertThatThrownBy(() -> pool.forChunks(8, 8, (s, e) -> {
                if (s == 5) throw new IllegalStateException("boom at " + s);
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom at 5");
            // the pool still works after a failure
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            pool.forRange(4, (s, e) -> {
                for (int i = s; i < e; i++) hits.incrementAndGet(i);
            });
            assertThat(hits.get(3)).isEqualTo(1);
        }
    }

    @Test
    void nestedCallRunsSeriallyOnTheCallingThread() {
        try (Parallel pool = new Parallel(2)) {
            AtomicReference<String> mismatch = new AtomicReference<>();
            AtomicIntegerArray inner = new AtomicIntegerArray(2);
            pool.forChunks(2, 2, (s, e) -> {
                Thread outer = Thread.currentThread();
                pool.forChunks(10, 10, (is, ie) -> {
                    if (Thread.currentThread() != outer || is != 0 || ie != 10) mismatch.set("inner ran " + is + ".." + ie + " on " + Thread.currentThread());
                });
                inner.incrementAndGet(s);
            });
            assertThat(mismatch.get()).isNull();
            assertThat(inner.get(0)).isEqualTo(1);
            assertThat(inner.get(1)).isEqualTo(1);
        }
    }

    @Test
    void serialPoolRunsOnCaller() {
        Thread me = Thread.currentThread();
        AtomicReference<Thread> ran = new AtomicReference<>();
        Parallel.serial().forRange(5, (s, e) -> ran.set(Thread.currentThread()));
        assertThat(ran.get()).isSameAs(me);
        assertThat(Parallel.serial().threads()).isEqualTo(1);
    }

    @org.junit.jupiter.api.Test
    void zeroThreadsMeansOnePerProcessorAndNegativeIsRefused() {
        try (Parallel p = Parallel.withThreads(0)) {
            org.assertj.core.api.Assertions.assertThat(p.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
        try (Parallel p = Parallel.withThreads(3)) {
            org.assertj.core.api.Assertions.assertThat(p.threads()).isEqualTo(3);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Parallel.withThreads(-1)).hasMessageContaining("threads");
    }

    @Test
    void parkedWorkersWakeForTheNextTaskAndEveryChunkStillRuns() {
        // parkWorkers between tasks (as around a oneDNN call) must never lose a wake-up: each task still covers
        // every index, with workers taking part (three threads, many chunks)
        try (Parallel p = new Parallel(3)) {
            for (int round = 0; round < 40; round++) {
                java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
                p.forChunks(1000, 30, (s, e) -> {
                    for (int i = s; i < e; i++) sum.addAndGet(i);
                });
                assertThat(sum.get()).as("round %d", round).isEqualTo(999L * 1000 / 2);
                if (round % 2 == 0) p.parkWorkers();
            }
        }
    }
}
