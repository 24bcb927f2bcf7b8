package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.AttentionTiles.ROW_GROUP;
import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal grouped-query self-attention, tiled (FlashAttention-2): scale 1/sqrt(headDim), scores never exist
 * beyond one block. Forward sweeps key blocks with an online softmax and saves only each query row's
 * log-sum-exp; backward recomputes the probabilities block by block from it. Saved memory is O(seqLen).
 *
 * <p>No two threads ever add into the same gradient rows: a backward task owns a (batch, kv head), adding its dK,
 * dV and its query heads' dQ in one sweep, or (when those tasks are too few for the threads, see
 * {@link #schedule}) a key block's dK and dV in one pass and a query block's dQ in a second. Either way each
 * gradient element sums its terms in the same fixed order (key blocks, then heads, then queries, increasing), so
 * results are bitwise reproducible and equal for any thread count, as forward's are.
 *
 * <p>Block sizes come from the host's L1 and L2 sizes ({@link AttentionTiles}); products run through
 * {@link TileProduct}'s register tiles, whose k ranges skip the causally masked keys 16 query rows at a time.
 */
public final class FlashAttention {

    private static final HostCaches CACHES = HostCaches.read();

    private FlashAttention() {}

    /** The block sizes used for this head size on this host. */
    public static AttentionTiles tiles(int headDim) {
        return AttentionTiles.forHost(CACHES, headDim);
    }

    /**
     * out[t, h*headDim..] = softmax(q_t K^T / sqrt(headDim) over keys <= t) V for every query head h;
     * lse[(b*qHeads + h)*seqLen + t] = log of that softmax's normaliser (in scaled-score units), for backward.
     */
    public static void forward(Parallel p, AttentionShape s, Strided q, Strided k, Strided v, Strided out, float[] lse) {
        forward(p, s, tiles(s.headDim()), q, k, v, out, lse);
    }

    static void forward(Parallel p, AttentionShape s, AttentionTiles tiles, Strided q, Strided k, Strided v, Strided out, float[] lse) {
        int T = s.seqLen(), d = s.headDim(), br = tiles.queryRows(), bc = tiles.keyCols();
        int qBlocks = ceilDiv(T, br), units = s.batch() * s.qHeads() * qBlocks;
        float scale = (float) (1.0 / Math.sqrt(d));
        p.forChunks(units, Math.min(units, 8 * p.threads()), (u0, u1) -> {
            // scratch of a few block sizes, not of seqLen: a long sequence must not mean big short-lived arrays
            float[] kt = new float[d * bc];
            float[] scores = new float[ROW_GROUP * bc];
            float[] acc = new float[br * d], rowMax = new float[br], rowSum = new float[br];
            float[] previousMax = new float[ROW_GROUP], blockSum = new float[ROW_GROUP];
            for (int u = u0; u < u1; u++) {
                int bh = u / qBlocks, b = bh / s.qHeads(), h = bh % s.qHeads(), kh = h / s.group();
                int q0 = (u % qBlocks) * br, q1 = Math.min(T, q0 + br), rows = q1 - q0;
                int kBase = k.off() + b * T * k.stride() + kh * d, vBase = v.off() + b * T * v.stride() + kh * d;
                int qBase = q.off() + (b * T + q0) * q.stride() + h * d;
                Arrays.fill(acc, 0, rows * d, 0f);
                Arrays.fill(rowMax, 0, rows, Float.NEGATIVE_INFINITY);
                Arrays.fill(rowSum, 0, rows, 0f);
                for (int j0 = 0; j0 < q1; j0 += bc) {
                    int nk = Math.min(bc, q1 - j0);
                    // this key block transposed to [d, bc] so a score row is a vector AXPY over keys; costs
                    // bc*d moves against rows*bc*d multiply-adds
                    transpose(k.a(), kBase + j0 * k.stride(), k.stride(), nk, d, kt, 0, bc);
                    for (int r0 = 0; r0 < rows; r0 += ROW_GROUP) {
                        int gm = Math.min(ROW_GROUP, rows - r0), last = q0 + r0 + gm - 1;
                        if (last < j0) continue;  // every key of this block is in these rows' future
                        int limit = Math.min(nk, last - j0 + 1), nv = roundUpToVector(limit);
                        TileProduct.block(gm, nv, 0, d, q.a(), qBase + r0 * q.stride(), q.stride(), 1, kt, 0, bc,
                                scores, 0, bc, false);
                        for (int i = 0; i < gm; i++) {
                            int r = r0 + i, n = Math.min(limit, q0 + r - j0 + 1);
                            previousMax[i] = rowMax[r];
                            blockSum[i] = onlineSoftmaxRow(scores, i * bc, n, nv, scale, rowMax, r);
                        }
                        rescale(previousMax, rowMax, r0, gm, scale, rowSum, blockSum, acc, d);
                        // acc rows += P V over this block's keys; P is zero past each row's causal limit
                        TileProduct.block(gm, d, 0, limit, scores, 0, bc, 1, v.a(), vBase + j0 * v.stride(), v.stride(),
                                acc, r0 * d, d, true);
                    }
                }
                int oBase = out.off() + (b * T + q0) * out.stride() + h * d, lBase = bh * T + q0;
                for (int r = 0; r < rows; r++) {
                    Simd.scaleInto(acc, r * d, d, 1f / rowSum[r], out.a(), oBase + r * out.stride());
                    lse[lBase + r] = rowMax[r] * scale + (float) StrictMath.log(rowSum[r]);
                }
            }
        });
    }

    /**
     * One key block's step of the online softmax for one query row: scores s[so, so + n) (raw q.k) become
     * exp((s - m) * scale) with m the new running maximum (stored in rowMax[r]), zeros fill [n, nv); returns their
     * sum. n <= 0 (no visible key in this block) zeros the row and leaves the maximum.
     */
    private static float onlineSoftmaxRow(float[] s, int so, int n, int nv, float scale, float[] rowMax, int r) {
        if (n <= 0) {
            Arrays.fill(s, so, so + nv, 0f);
            return 0f;
        }
        // max by compare and blend: FloatVector.max carries Math.max's NaN and -0.0 rules at several instructions each
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < nv; i += L) {
            FloatVector x = FloatVector.fromArray(F, s, so + i);
            VectorMask<Float> greater = vmax.compare(VectorOperators.LT, x).and(F.indexInRange(i, n));
            vmax = vmax.blend(x, greater);
        }
        float max = Math.max(rowMax[r], vmax.reduceLanes(VectorOperators.MAX));
        FloatVector vscale = FloatVector.broadcast(F, scale), vshift = FloatVector.broadcast(F, -max * scale);
        FloatVector sum = FloatVector.zero(F);
        for (int i = 0; i < nv; i += L) {
            FloatVector e = Simd.exp(FloatVector.fromArray(F, s, so + i).fma(vscale, vshift)).blend(0f, F.indexInRange(i, n).not());
            e.intoArray(s, so + i);
            sum = sum.add(e);
        }
        rowMax[r] = max;
        return Simd.sumLanes(sum);
    }

    /**
     * For rows [r0, r0 + gm): alpha = exp((previous max - new max) * scale), one vector exp for the whole row group
     * (0 on a row's first block, whose max was -inf; exactly 1 where the max did not move); the running sum becomes
     * sum * alpha + this block's sum, and the output accumulator row is scaled by alpha before this block's P V.
     */
    private static void rescale(float[] previousMax, float[] rowMax, int r0, int gm, float scale, float[] rowSum, float[] blockSum,
                                float[] acc, int d) {
        float[] alpha = previousMax;  // overwritten in place
        for (int i = 0; i < gm; i += L) {
            VectorMask<Float> live = F.indexInRange(i, gm);
            FloatVector before = FloatVector.fromArray(F, previousMax, i, live), after = FloatVector.fromArray(F, rowMax, r0 + i, live);
            Simd.exp(before.sub(after).mul(scale)).intoArray(alpha, i, live);
        }
        for (int i = 0; i < gm; i++) {
            int r = r0 + i;
            float a = alpha[i];
            rowSum[r] = rowSum[r] * a + blockSum[i];
            if (a != 1f) Simd.scale(acc, r * d, d, a);
        }
    }

    /**
     * Accumulates (+=) dq, dk and dv from dOut, given forward's q, k, v, out and lse. dq, dk and dv may be column
     * ranges of one packed buffer, as q, k and v may.
     */
    public static void backward(Parallel p, AttentionShape s, Strided q, Strided k, Strided v, Strided out, float[] lse,
                                Strided dOut, Strided dq, Strided dk, Strided dv) {
        AttentionTiles tiles = tiles(s.headDim());
        backward(p, s, tiles, schedule(s, p.threads()), q, k, v, out, lse, dOut, dq, dk, dv);
    }

    /** How backward splits its work across threads; both give bitwise the same gradients. */
    enum BackwardSchedule {
        /**
         * One task per (batch, kv head) sweeps its key blocks once and adds dK, dV and the group's dQ: 5 block
         * products per (query, key) block pair. Only batch * kvHeads tasks, though.
         */
        ONE_PASS,
        /**
         * One task per (batch, kv head, key block) adds dK and dV, then one per (batch, query head, query block)
         * adds dQ, recomputing P and dP: 7 products per block pair, but enough tasks for any thread count.
         */
        TWO_PASS
    }

    /** One pass unless its tasks split so unevenly over the threads that idle threads cost more than 7/5 the work. */
    static BackwardSchedule schedule(AttentionShape s, int threads) {
        long tasks = (long) s.batch() * s.kvHeads(), rounds = (tasks + threads - 1) / threads;
        return rounds * threads * 5 <= tasks * 7 ? BackwardSchedule.ONE_PASS : BackwardSchedule.TWO_PASS;
    }

    static void backward(Parallel p, AttentionShape s, AttentionTiles tiles, BackwardSchedule schedule, Strided q, Strided k,
                         Strided v, Strided out, float[] lse, Strided dOut, Strided dq, Strided dk, Strided dv) {
        float[] delta = new float[s.lseLength()];
        rowDots(p, s, dOut, out, delta);
        if (schedule == BackwardSchedule.ONE_PASS) {
            keyBlockGradients(p, s, tiles, q, k, v, lse, delta, dOut, dk, dv, dq);
        } else {
            keyBlockGradients(p, s, tiles, q, k, v, lse, delta, dOut, dk, dv, null);
            queryBlockGradients(p, s, tiles, q, k, v, lse, delta, dOut, dq);
        }
    }

    /** delta[(b*qHeads + h)*T + t] = dOut_t . out_t over head h: the softmax backward's per-row correction. */
    private static void rowDots(Parallel p, AttentionShape s, Strided dOut, Strided out, float[] delta) {
        int T = s.seqLen(), d = s.headDim(), rows = s.batch() * T;
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / (s.qHeads() * d)), (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int b = row / T, t = row % T;
                for (int h = 0; h < s.qHeads(); h++) {
                    delta[(b * s.qHeads() + h) * T + t] = Simd.dot(dOut.a(), dOut.off() + row * dOut.stride() + h * d,
                            out.a(), out.off() + row * out.stride() + h * d, d);
                }
            }
        });
    }

    /**
     * dK and dV of each key block, summed over the group's query heads and the queries that see the block, in that
     * order. With dq (ONE_PASS) a task owns a whole (batch, kv head) and also adds dS K into the group's dQ rows, key
     * block by key block in increasing order, as the TWO_PASS dQ pass does; without, a task owns one key block.
     */
    private static void keyBlockGradients(Parallel p, AttentionShape s, AttentionTiles tiles, Strided q, Strided k, Strided v,
                                          float[] lse, float[] delta, Strided dOut, Strided dk, Strided dv, Strided dq) {
        int T = s.seqLen(), d = s.headDim(), br = tiles.queryRows(), bc = tiles.keyCols();
        int kBlocks = ceilDiv(T, bc), blocksPerUnit = dq != null ? kBlocks : 1;
        int units = s.batch() * s.kvHeads() * (kBlocks / blocksPerUnit);
        float scale = (float) (1.0 / Math.sqrt(d));
        p.forChunks(units, Math.min(units, 8 * p.threads()), (u0, u1) -> {
            float[] kt = new float[d * bc], vt = new float[d * bc];
            float[] pr = new float[br * bc], ds = new float[br * bc];
            for (int u = u0 * blocksPerUnit; u < u1 * blocksPerUnit; u++) {
                int bkv = u / kBlocks, b = bkv / s.kvHeads(), kh = bkv % s.kvHeads();
                int j0 = (u % kBlocks) * bc, nk = Math.min(bc, T - j0);
                int kBase = k.off() + (b * T + j0) * k.stride() + kh * d, vBase = v.off() + (b * T + j0) * v.stride() + kh * d;
                if (nk < bc) {
                    Arrays.fill(kt, 0f);
                    Arrays.fill(vt, 0f);
                }
                transpose(k.a(), kBase, k.stride(), nk, d, kt, 0, bc);
                transpose(v.a(), vBase, v.stride(), nk, d, vt, 0, bc);
                int dkBase = dk.off() + (b * T + j0) * dk.stride() + kh * d, dvBase = dv.off() + (b * T + j0) * dv.stride() + kh * d;
                for (int h = kh * s.group(); h < (kh + 1) * s.group(); h++) {
                    int qBase = q.off() + b * T * q.stride() + h * d, gBase = dOut.off() + b * T * dOut.stride() + h * d;
                    int lBase = (b * s.qHeads() + h) * T;
                    // queries before j0 see none of this block's keys; the others come in chunks of br rows whose
                    // P and dS are kept, so the dK and dV products below run over a whole chunk at once (a long
                    // k loop per register tile) instead of loading and storing dK and dV per 16 queries
                    for (int c0 = j0; c0 < T; c0 += br) {
                        int c1 = Math.min(T, c0 + br);
                        for (int r0 = c0; r0 < c1; r0 += ROW_GROUP) {
                            int gm = Math.min(ROW_GROUP, c1 - r0), limit = Math.min(nk, r0 + gm - j0), nv = roundUpToVector(limit);
                            int po = (r0 - c0) * bc;
                            probabilityGradients(gm, limit, nv, roundUpToVector(nk), r0, r0 - j0, q, qBase, kt, dOut, gBase, vt,
                                    lse, delta, lBase, scale, pr, ds, po, bc, d);
                            if (dq != null) {
                                TileProduct.block(gm, d, 0, limit, ds, po, bc, 1, k.a(), kBase, k.stride(),
                                        dq.a(), dq.off() + (b * T + r0) * dq.stride() + h * d, dq.stride(), true);
                            }
                        }
                        // dV += P^T dOut and dK += dS^T Q, 16 keys at a time over the chunk's queries that see them,
                        // reading P and dS transposed
                        for (int s0 = 0; s0 < nk; s0 += ROW_GROUP) {
                            int km = Math.min(ROW_GROUP, nk - s0), first = Math.max(c0, j0 + s0);
                            if (first >= c1) break;
                            TileProduct.block(km, d, first - c0, c1 - c0, pr, s0, 1, bc, dOut.a(), gBase + c0 * dOut.stride(),
                                    dOut.stride(), dv.a(), dvBase + s0 * dv.stride(), dv.stride(), true);
                            TileProduct.block(km, d, first - c0, c1 - c0, ds, s0, 1, bc, q.a(), qBase + c0 * q.stride(),
                                    q.stride(), dk.a(), dkBase + s0 * dk.stride(), dk.stride(), true);
                        }
                    }
                }
            }
        });
    }

    /** dQ of one query block per task, summed over the key blocks it sees in increasing order. */
    private static void queryBlockGradients(Parallel p, AttentionShape s, AttentionTiles tiles, Strided q, Strided k, Strided v,
                                            float[] lse, float[] delta, Strided dOut, Strided dq) {
        int T = s.seqLen(), d = s.headDim(), br = tiles.queryRows(), bc = tiles.keyCols();
        int qBlocks = ceilDiv(T, br), units = s.batch() * s.qHeads() * qBlocks;
        float scale = (float) (1.0 / Math.sqrt(d));
        p.forChunks(units, Math.min(units, 8 * p.threads()), (u0, u1) -> {
            float[] kt = new float[d * bc], vt = new float[d * bc];
            float[] pr = new float[ROW_GROUP * bc], ds = new float[ROW_GROUP * bc];
            for (int u = u0; u < u1; u++) {
                int bh = u / qBlocks, b = bh / s.qHeads(), h = bh % s.qHeads(), kh = h / s.group();
                int q0 = (u % qBlocks) * br, q1 = Math.min(T, q0 + br);
                int kBase = k.off() + b * T * k.stride() + kh * d, vBase = v.off() + b * T * v.stride() + kh * d;
                int qBase = q.off() + b * T * q.stride() + h * d, gBase = dOut.off() + b * T * dOut.stride() + h * d;
                int dqBase = dq.off() + b * T * dq.stride() + h * d, lBase = bh * T;
                for (int j0 = 0; j0 < q1; j0 += bc) {
                    int nk = Math.min(bc, q1 - j0);
                    transpose(k.a(), kBase + j0 * k.stride(), k.stride(), nk, d, kt, 0, bc);
                    transpose(v.a(), vBase + j0 * v.stride(), v.stride(), nk, d, vt, 0, bc);
                    for (int r0 = q0; r0 < q1; r0 += ROW_GROUP) {
                        int gm = Math.min(ROW_GROUP, q1 - r0), last = r0 + gm - 1;
                        if (last < j0) continue;
                        int limit = Math.min(nk, last - j0 + 1), nv = roundUpToVector(limit);
                        probabilityGradients(gm, limit, nv, nv, r0, r0 - j0, q, qBase, kt, dOut, gBase, vt,
                                lse, delta, lBase, scale, pr, ds, 0, bc, d);
                        // dQ += dS K over this block's keys
                        TileProduct.block(gm, d, 0, limit, ds, 0, bc, 1, k.a(), kBase + j0 * k.stride(), k.stride(),
                                dq.a(), dqBase + r0 * dq.stride(), dq.stride(), true);
                    }
                }
            }
        });
    }

    /**
     * For query rows [r0, r0 + gm) against one key block (kt, vt: that block's K and V transposed, [d, bc]):
     * P = exp(scale q.k - lse) into pr and dS = P (dOut.v - delta) scale into ds, rows of bc from offset po,
     * computed over nv columns and zero past each row's causal limit up to width. Row i sees firstKey + i + 1 keys
     * of the block (at most limit).
     */
    private static void probabilityGradients(int gm, int limit, int nv, int width, int r0, int firstKey, Strided q, int qBase,
                                             float[] kt, Strided dOut, int gBase, float[] vt, float[] lse, float[] delta,
                                             int lBase, float scale, float[] pr, float[] ds, int po, int bc, int d) {
        TileProduct.block(gm, nv, 0, d, q.a(), qBase + r0 * q.stride(), q.stride(), 1, kt, 0, bc, pr, po, bc, false);
        TileProduct.block(gm, nv, 0, d, dOut.a(), gBase + r0 * dOut.stride(), dOut.stride(), 1, vt, 0, bc, ds, po, bc, false);
        for (int i = 0; i < gm; i++) {
            int n = Math.min(limit, firstKey + i + 1), t = r0 + i, o = po + i * bc;
            scoreGradientRow(pr, ds, o, n, nv, scale, lse[lBase + t], delta[lBase + t]);
            if (nv < width) {
                Arrays.fill(pr, o + nv, o + width, 0f);
                Arrays.fill(ds, o + nv, o + width, 0f);
            }
        }
    }

    /**
     * p[o, o + n): raw scores become P = exp(scale s - lse); dp[o, o + n) (dOut.v) becomes dS = P (dp - delta) scale,
     * the score scale folded in; both are zero on [n, nv).
     */
    private static void scoreGradientRow(float[] p, float[] dp, int o, int n, int nv, float scale, float lse, float delta) {
        if (n <= 0) {
            Arrays.fill(p, o, o + nv, 0f);
            Arrays.fill(dp, o, o + nv, 0f);
            return;
        }
        FloatVector vscale = FloatVector.broadcast(F, scale), vshift = FloatVector.broadcast(F, -lse);
        FloatVector vdelta = FloatVector.broadcast(F, delta);
        for (int i = 0; i < nv; i += L) {
            VectorMask<Float> masked = F.indexInRange(i, n).not();
            FloatVector pv = Simd.exp(FloatVector.fromArray(F, p, o + i).fma(vscale, vshift)).blend(0f, masked);
            pv.intoArray(p, o + i);
            pv.mul(FloatVector.fromArray(F, dp, o + i).sub(vdelta)).mul(vscale).blend(0f, masked).intoArray(dp, o + i);
        }
    }

    /** dst[dOff + i * ld + s] = src[base + s * stride + i] for s < rows, i < cols. */
    private static void transpose(float[] src, int base, int stride, int rows, int cols, float[] dst, int dOff, int ld) {
        for (int s = 0; s < rows; s++) {
            int row = base + s * stride;
            for (int i = 0; i < cols; i++) dst[dOff + i * ld + s] = src[row + i];
        }
    }

    private static int roundUpToVector(int n) {
        return (n + L - 1) / L * L;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
