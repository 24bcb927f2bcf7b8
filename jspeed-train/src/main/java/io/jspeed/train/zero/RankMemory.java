package io.jspeed.train.zero;

import java.util.Locale;

/**
 * What one rank holds, by kind, in bytes. Model states are what ZeRO partitions (parameters, gradients, optimizer
 * states incl. fp32 masters); working buffers are the gathered blocks and transient gradient buffers a partitioned
 * stage uses while a block runs (ZeRO's "working set").
 */
public record RankMemory(long parameterBytes, long gradientBytes, long optimizerBytes, long workingBytes) {

    public long modelStateBytes() {
        return parameterBytes + gradientBytes + optimizerBytes;
    }

    /**
     * ZeRO's per-rank model-state bytes for fp32 training with AdamW over Ψ parameters and N ranks: parameters 4Ψ,
     * gradients 4Ψ, optimizer states K·Ψ with K = 8 (two moments; the fp32 master is the parameter itself), or
     * K = 12 with bf16 (a separate fp32 master beside bf16-valued fp32 working weights). Stage 1 divides K·Ψ by N,
     * stage 2 also the gradients, stage 3 everything.
     */
    public static long formulaBytes(int stage, long params, int ranks, boolean bf16) {
        double p = 4.0 * params, g = 4.0 * params, k = (bf16 ? 12.0 : 8.0) * params;
        double n = ranks;
        double bytes = switch (stage) {
            case 0 -> p + g + k;
            case 1 -> p + g + k / n;
            case 2 -> p + (g + k) / n;
            case 3 -> (p + g + k) / n;
            default -> throw new IllegalArgumentException("stage " + stage);
        };
        return Math.round(bytes);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "params %s, grads %s, optimizer %s, working %s",
                mib(parameterBytes), mib(gradientBytes), mib(optimizerBytes), mib(workingBytes));
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
