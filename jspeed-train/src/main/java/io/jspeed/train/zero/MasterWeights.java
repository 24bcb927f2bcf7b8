package io.jspeed.train.zero;

import io.jspeed.tensor.BF16;
import io.jspeed.tensor.FloatSlice;

import java.util.List;

/**
 * The fp32 values the optimizer updates, for the pieces this rank owns. In fp32 training they are the working
 * values themselves; with bf16 they are a separate fp32 shard and the working values are their bf16 rounding
 * (DeepSpeed's bf16 semantics: the model computes with bf16 weights, small updates are kept in fp32).
 */
interface MasterWeights {

    FloatSlice master(int block, ShardLayout.Piece piece);

    /** After an update of block's owned pieces: bring the working values in line. */
    void toWorking(int block);

    long residentBytes();

    static MasterWeights of(boolean bf16, List<BlockParams> params) {
        return bf16 ? new Bf16(params) : new Fp32(params);
    }

    record Fp32(List<BlockParams> params) implements MasterWeights {
        @Override
        public FloatSlice master(int block, ShardLayout.Piece piece) {
            return params.get(block).owned(piece);
        }

        @Override
        public void toWorking(int block) {}

        @Override
        public long residentBytes() {
            return 0;
        }
    }

    final class Bf16 implements MasterWeights {
        private final List<BlockParams> params;
        private final float[][] master;

        Bf16(List<BlockParams> params) {
            this.params = params;
            this.master = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                ShardLayout layout = params.get(i).layout();
                master[i] = new float[layout.shardSize()];
                for (ShardLayout.Piece p : layout.pieces()) {
                    FloatSlice w = params.get(i).owned(p);
                    System.arraycopy(w.array(), w.offset(), master[i], p.shardOffset(), p.length());
                }
                params.get(i).roundWorkingToBf16();
            }
        }

        @Override
        public FloatSlice master(int block, ShardLayout.Piece piece) {
            return new FloatSlice(master[block], piece.shardOffset());
        }

        @Override
        public void toWorking(int block) {
            for (ShardLayout.Piece p : params.get(block).layout().pieces()) {
                FloatSlice w = params.get(block).owned(p);
                System.arraycopy(master[block], p.shardOffset(), w.array(), w.offset(), p.length());
                BF16.roundInPlace(w.array(), w.offset(), p.length());
            }
        }

        @Override
        public long residentBytes() {
            long n = 0;
            for (float[] m : master) n += 4L * m.length;
            return n;
        }
    }
}
