package io.jspeed.model.layer;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Embedding;
import io.jspeed.tensor.kernel.Rope;

/**
 * How a model knows where a token is: a learned table added to the token embeddings (GPT-2), or RoPE rotating q and k
 * inside every block (Llama). One object serves the embeddings and all blocks, and each does nothing where the other
 * kind acts, so neither asks which kind it has.
 */
public sealed interface Positions {

    /** Adds the position embedding of each of {@code rows} rows (sequences of seqLen) to x, from the embeddings' values. */
    void embed(float[] x, float[] embeddings, int rows, int seqLen);

    /** Adds the position table's gradient from dX to the embeddings' gradients. */
    void embedBackward(float[] embeddingGrads, float[] dX, int rows, int seqLen);

    /** Rotates the q and k parts of packed q|k|v rows by their positions; {@code inverse} rotates back (the backward). */
    void rotate(float[] qkv, int rows, int seqLen, boolean inverse);

    /** The spec's kind; a learned table is added to {@code embeddings} (after the token table). */
    static Positions add(ModelSpec spec, ParamBlock.Builder embeddings, Parallel pool) {
        int c = spec.dModel();
        if (!spec.family().learnedPositions())
            return new Rotary(pool, new Rope(spec.maxSeqLen(), spec.headDim(), spec.ropeTheta()), spec.nHead(), spec.nKvHead(), spec.qWidth(), spec.qkvWidth());
        int table = embeddings.size();
        embeddings.add(spec.family().names().positionEmbedding() + ".weight", true, spec.maxSeqLen(), c);
        return new Learned(pool, table, c);
    }

    /** wpe[t] added to the embedding of every row at position t. */
    record Learned(Parallel pool, int table, int c) implements Positions {
        @Override
        public void embed(float[] x, float[] embeddings, int rows, int seqLen) {
            Embedding.addPositions(pool, x, 0, embeddings, table, rows, seqLen, c);
        }

        @Override
        public void embedBackward(float[] embeddingGrads, float[] dX, int rows, int seqLen) {
            Embedding.positionsBackward(pool, embeddingGrads, table, dX, 0, rows, seqLen, c);
        }

        @Override
        public void rotate(float[] qkv, int rows, int seqLen, boolean inverse) {}
    }

    /** RoPE on the query heads and the key heads of each packed row; the tables are shared by all blocks. */
    record Rotary(Parallel pool, Rope rope, int qHeads, int kvHeads, int qWidth, int qkvWidth) implements Positions {
        @Override
        public void embed(float[] x, float[] embeddings, int rows, int seqLen) {}

        @Override
        public void embedBackward(float[] embeddingGrads, float[] dX, int rows, int seqLen) {}

        @Override
        public void rotate(float[] qkv, int rows, int seqLen, boolean inverse) {
            rope.rotate(pool, qkv, 0, qkvWidth, rows, seqLen, qHeads, inverse);
            rope.rotate(pool, qkv, qWidth, qkvWidth, rows, seqLen, kvHeads, inverse);
        }
    }
}
