package io.jspeed.train.zero;

import io.jspeed.model.param.ParamBlock;

import java.util.List;
import java.util.Locale;

/**
 * The bytes a rank will hold for a given stage, computed from the block sizes and the same shard layouts the
 * engine uses, before anything big is allocated; and the check that refuses a run whose plan exceeds a budget,
 * naming what would fit. Activations are not included (they do not depend on the stage).
 */
public record MemoryPlan(int stage, int ranks, RankMemory memory) {

    public static MemoryPlan of(List<ParamBlock> blocks, ZeroOptions options, int ranks, boolean bf16) {
        int shardRanks = options.shardRanks(ranks);
        long bucket = options.bucketElements();
        long params = 0, grads = 0, optimizer = 0, largestPadded = 0, largestPiece = 0, gatheredTotal = 0;
        for (ParamBlock b : blocks) {
            ShardLayout layout = new ShardLayout(b.size(), bucket, shardRanks, 0);
            boolean partitionParams = options.partitionsBlock(b.size());
            params += 4L * (partitionParams ? layout.shardSize() : layout.paddedSize());
            grads += 4L * (options.partitionsGradients() ? layout.shardSize() : layout.paddedSize());
            optimizer += (bf16 ? 12L : 8L) * layout.shardSize();
            largestPadded = Math.max(largestPadded, layout.paddedSize());
            if (partitionParams) gatheredTotal += layout.paddedSize();
            for (ShardLayout.Bucket k : layout.buckets()) largestPiece = Math.max(largestPiece, k.perRank());
        }
        // Working set: a partitioned stage holds up to two gathered blocks (the current one and GPT-2's tied
        // embedding), or with a reuse distance the blocks kept from forward to backward (up to max live parameters
        // plus the block in use); as many transient gradient buffers; plus one bucket piece of reduction scratch.
        long gathered = options.maxReuseDistance() > 0
                ? Math.min(gatheredTotal, Math.max(2 * largestPadded, options.maxLiveParameters() + largestPadded))
                : 2 * largestPadded;
        long working = (shardRanks > 1 || options.partitionsGradients() ? 4L * largestPiece : 0)
                + (options.partitionsParameters() ? 4L * gathered : 0)
                + (options.partitionsGradients() ? 2 * 4L * largestPadded : 0);
        return new MemoryPlan(options.stage(), ranks, new RankMemory(params, grads, optimizer, working));
    }

    public long totalBytes() {
        return memory.modelStateBytes() + memory.workingBytes();
    }

    /**
     * Throws if this plan needs more than {@code budgetBytes} per rank, with the bytes needed, the budget, and
     * the lowest stage (or more ranks) that would fit.
     */
    public static void requireFits(List<ParamBlock> blocks, ZeroOptions options, int ranks, boolean bf16, long budgetBytes) {
        MemoryPlan plan = of(blocks, options, ranks, bf16);
        if (budgetBytes <= 0 || plan.totalBytes() <= budgetBytes) return;
        StringBuilder advice = new StringBuilder();
        for (int s = options.stage() + 1; s <= 3 && advice.isEmpty(); s++) {
            MemoryPlan p = of(blocks, withStage(options, s), ranks, bf16);
            if (p.totalBytes() <= budgetBytes)
                advice.append("zero_optimization.stage=").append(s).append(" would need ").append(RankMemory.mib(p.totalBytes())).append(" per rank");
        }
        if (advice.isEmpty()) {
            for (int n = ranks + 1; n <= 1024 && advice.isEmpty(); n *= 2) {
                MemoryPlan p = of(blocks, withStage(options, 3), n, bf16);
                if (p.totalBytes() <= budgetBytes)
                    advice.append("stage 3 over ").append(n).append(" ranks would need ").append(RankMemory.mib(p.totalBytes())).append(" per rank");
            }
        }
        if (advice.isEmpty()) advice.append("no stage or rank count up to 1024 fits; use a smaller model");
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "the model's states need %s per rank at zero_optimization.stage=%d over %d ranks (%s), more than the budget of %s; %s",
                RankMemory.mib(plan.totalBytes()), options.stage(), ranks, plan.memory(), RankMemory.mib(budgetBytes), advice));
    }

    private static ZeroOptions withStage(ZeroOptions o, int stage) {
        return o.withStage(stage);
    }
}
