package io.jspeed.bench;

import io.jspeed.infer.weights.GroupwiseQuantizer;
import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.tensor.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Wall-clock speed of one weight format's matvec (decode) or batched matmul (prefill) on a [rows x cols] matrix in
 * off-heap memory: median time and the weight bytes streamed per second, the figure decode is bound by.
 * Formats: F32 F16 BF16 Q8_0 Q4_0 Q4_K Q6_K INT8 INT4 (grouped, group 128, fp16 scales).
 */
public final class MatvecBench {

    /** One measured format and shape. */
    public record Result(String format, int rows, int cols, int batch, int threads, double millis, double gigabytesPerSecond) {

        public String toJson() {
            return String.format(Locale.ROOT, "{\"bench\":\"matvec\",\"format\":\"%s\",\"rows\":%d,\"cols\":%d,\"batch\":%d,"
                    + "\"threads\":%d,\"ms\":%.4f,\"weight_gb_per_s\":%.2f}", format, rows, cols, batch, threads, millis, gigabytesPerSecond);
        }
    }

    private MatvecBench() {
    }

    public static Result run(String format, int rows, int cols, int batch, Parallel pool, int warmup, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        }
        WeightMatrix w = matrix(format.toUpperCase(Locale.ROOT), rows, cols);
        float[] x = random(batch * cols, 3);
        float[] out = new float[batch * rows];
        long[] nanos = new long[iterations];
        for (int i = 0; i < warmup; i++) {
            w.matmul(pool, x, 0, batch, out, 0);
        }
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            w.matmul(pool, x, 0, batch, out, 0);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        double median = nanos[iterations / 2];
        return new Result(w.format(), rows, cols, batch, pool.threads(), median / 1e6, w.bytes() / median);
    }

    /** A matrix of {@code format} holding random gaussian weights encoded the way real files hold them. */
    static WeightMatrix matrix(String format, int rows, int cols) {
        float[] row = new float[cols];
        SplittableRandom rnd = new SplittableRandom(1);
        Arena arena = Arena.ofAuto();
        if (format.startsWith("INT")) {
            GroupwiseQuantizer q = new GroupwiseQuantizer(format.equals("INT8") ? 8 : 4, 128, true);
            MemorySegment weights = arena.allocate((long) rows * q.rowBytes(cols), 64);
            MemorySegment scales = arena.allocate((long) rows * (cols / 128) * 2, 64);
            byte[] packed = new byte[q.rowBytes(cols)];
            float[] s = new float[cols / 128];
            for (int r = 0; r < rows; r++) {
                fill(row, rnd);
                q.quantizeRow(row, 0, cols, packed, 0, s, 0);
                MemorySegment.copy(packed, 0, weights, ValueLayout.JAVA_BYTE, (long) r * packed.length, packed.length);
                for (int g = 0; g < s.length; g++) {
                    scales.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * (r * s.length + g), Float.floatToFloat16(s[g]));
                }
            }
            return format.equals("INT8") ? WeightFormats.groupwiseInt8(rows, cols, 128, weights, scales, true)
                    : WeightFormats.groupwiseInt4(rows, cols, 128, weights, scales, true);
        }
        GgmlType type = GgmlType.valueOf(format);
        long rowBytes = type.byteSize(cols);
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        byte[] encoded = new byte[(int) rowBytes];
        for (int r = 0; r < rows; r++) {
            fill(row, rnd);
            encode(type, row, encoded, rnd);
            MemorySegment.copy(encoded, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, encoded.length);
        }
        return WeightFormats.of(type, rows, cols, data);
    }

    private static void encode(GgmlType type, float[] row, byte[] out, SplittableRandom rnd) {
        MemorySegment seg = MemorySegment.ofArray(out);
        ValueLayout.OfShort le16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> MemorySegment.copy(row, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, row.length);
            case F16 -> {
                for (int i = 0; i < row.length; i++) {
                    seg.set(le16, 2L * i, Float.floatToFloat16(row[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < row.length; i++) {
                    seg.set(le16, 2L * i, (short) (Float.floatToRawIntBits(row[i]) >>> 16));
                }
            }
            case Q8_0 -> GgmlQuant.quantizeQ8_0(row, 0, row.length, out, 0);
            case Q4_0 -> GgmlQuant.quantizeQ4_0(row, 0, row.length, out, 0);
            case Q4_K, Q6_K -> {
                // no K-quant quantizer in jspeed: random bits with modest fp16 super-block scales
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) rnd.nextInt(256);
                }
                for (int b = 0; b < row.length / 256; b++) {
                    int o = b * type.blockBytes();
                    short d = Float.floatToFloat16(0.01f);
                    if (type == GgmlType.Q4_K) {
                        seg.set(le16, o, d);
                        seg.set(le16, o + 2, d);
                    } else {
                        seg.set(le16, o + 208, d);
                    }
                }
            }
            default -> throw new IllegalArgumentException("no weight format " + type + "; expected one of "
                    + WeightFormats.GGML_TYPES + ", INT8, INT4");
        }
    }

    private static void fill(float[] row, SplittableRandom rnd) {
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) ((rnd.nextDouble() * 2 - 1) * 0.05);
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
