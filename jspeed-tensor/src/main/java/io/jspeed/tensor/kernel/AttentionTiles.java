package io.jspeed.tensor.kernel;

import io.jspeed.tensor.HostCaches;

/**
 * Block sizes of {@link FlashAttention}, derived from the host's caches rather than tuned on one CPU.
 *
 * @param queryRows query positions per task: its q, output and dOut rows (3 x queryRows x headDim floats), one
 *                  key block of K and V, and in backward their P and dS (2 x queryRows x keyCols) stay in half of L2
 * @param keyCols   keys per block: a 16-row slice of scores (16 x keyCols floats) takes a quarter of L1, so the
 *                  softmax pass over it and the product that reads it back hit L1
 */
public record AttentionTiles(int queryRows, int keyCols) {

    /** Query rows per register-tiled product call, see {@link TileProduct#BLOCK_ROWS}. */
    static final int ROW_GROUP = TileProduct.BLOCK_ROWS;

    public AttentionTiles {
        if (queryRows < 1 || keyCols < Simd.L || keyCols % Simd.L != 0) {
            throw new IllegalArgumentException("queryRows " + queryRows + " must be >= 1 and keyCols " + keyCols
                    + " a positive multiple of the vector length " + Simd.L);
        }
    }

    public static AttentionTiles forHost(HostCaches caches, int headDim) {
        int tile = 4 * Simd.L;  // TileProduct's register tile width
        long keys = caches.l1d() / 4 / (ROW_GROUP * Float.BYTES);
        int keyCols = (int) Math.clamp(keys / tile * tile, tile, 512);
        long rows = (caches.l2() / 2 / Float.BYTES - 2L * keyCols * headDim) / (3L * headDim + 2L * keyCols);
        int queryRows = (int) Math.clamp(rows / ROW_GROUP * ROW_GROUP, ROW_GROUP, 256);
        return new AttentionTiles(queryRows, keyCols);
    }
}
