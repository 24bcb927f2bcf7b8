package io.jspeed.infer.convert;

import io.jspeed.infer.model.RopeLayout;

/**
 * The row order of q/k projections between RoPE layouts. Hugging Face rotates element j of a head with j + d/2;
 * llama.cpp's "llama" architecture rotates 2j with 2j+1, so its converter moves HF row (head h, half s, index j) to
 * row 2j + s of the head (convert_hf_to_gguf.py's LlamaModel.permute). Applied to q and k alike, q·k is unchanged.
 */
final class QkRows {

    private QkRows() {}

    /** order[r] = the source row written at row r, for heads of headDim rows stored in {@code from}, written in {@code to}. */
    static int[] order(int heads, int headDim, RopeLayout from, RopeLayout to) {
        int[] order = new int[heads * headDim];
        for (int r = 0; r < order.length; r++) order[r] = r;
        if (from == to) return order;
        int half = headDim / 2;
        for (int h = 0; h < heads; h++)
            for (int s = 0; s < 2; s++)
                for (int j = 0; j < half; j++) {
                    int rotateHalf = h * headDim + s * half + j, interleaved = h * headDim + 2 * j + s;
                    if (to == RopeLayout.INTERLEAVED) order[interleaved] = rotateHalf;
                    else order[rotateHalf] = interleaved;
                }
        return order;
    }
}
