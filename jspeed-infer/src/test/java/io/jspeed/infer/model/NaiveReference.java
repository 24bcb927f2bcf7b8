package io.jspeed.infer.model;

import io.jspeed.model.Family;

import java.util.Map;

/**
 * A deliberately plain full-sequence forward over Hugging Face named fp32 tensors, in double precision, written from
 * the transformers modelling code (Llama/Qwen2/Qwen3 with rotate-half RoPE, GPT-2 with Conv1D weights) and sharing
 * nothing with the runtime but the config: the independent side of the loader and runtime tests.
 */
final class NaiveReference {

    private final LmConfig c;
    private final Map<String, float[]> w;

    NaiveReference(LmConfig c, Map<String, float[]> w) {
        this.c = c;
        this.w = w;
    }

    /** Logits [tokens.length, vocab]. */
    float[] logits(int[] tokens) {
        int n = tokens.length, d = c.dModel();
        boolean gpt2 = c.family() == Family.GPT2;
        String t = gpt2 && w.containsKey("transformer.wte.weight") ? "transformer." : "";
        float[] embed = w.get(gpt2 ? t + "wte.weight" : "model.embed_tokens.weight");
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i][j] = embed[tokens[i] * d + j] + (gpt2 ? w.get(t + "wpe.weight")[i * d + j] : 0);
        for (int l = 0; l < c.nLayer(); l++) x = gpt2 ? gpt2Block(x, t + "h." + l + ".") : llamaBlock(x, "model.layers." + l + ".");
        double[][] h = gpt2 ? layerNorm(x, w.get(t + "ln_f.weight"), w.get(t + "ln_f.bias")) : rmsNorm(x, w.get("model.norm.weight"), c.normEps());
        float[] head = c.tiedHead() ? embed : w.get("lm_head.weight");
        float[] out = new float[n * c.vocabSize()];
        double[][] logits = linear(h, head, null, c.vocabSize(), false);
        for (int i = 0; i < n; i++) for (int v = 0; v < c.vocabSize(); v++) out[i * c.vocabSize() + v] = (float) logits[i][v];
        return out;
    }

    private double[][] llamaBlock(double[][] x, String p) {
        int hd = c.headDim();
        double[][] h = rmsNorm(x, w.get(p + "input_layernorm.weight"), c.normEps());
        String a = p + "self_attn.";
        double[][] q = linear(h, w.get(a + "q_proj.weight"), w.get(a + "q_proj.bias"), c.qWidth(), false);
        double[][] k = linear(h, w.get(a + "k_proj.weight"), w.get(a + "k_proj.bias"), c.kvWidth(), false);
        double[][] v = linear(h, w.get(a + "v_proj.weight"), w.get(a + "v_proj.bias"), c.kvWidth(), false);
        if (w.containsKey(a + "q_norm.weight")) {
            perHeadRms(q, w.get(a + "q_norm.weight"), c.nHead(), hd);
            perHeadRms(k, w.get(a + "k_norm.weight"), c.nKvHead(), hd);
        }
        double[] inv = c.ropeScaling().inverseFrequencies(c.ropeTheta(), hd);
        for (int i = 0; i < x.length; i++) {
            rope(q[i], c.nHead(), hd, i, inv);
            rope(k[i], c.nKvHead(), hd, i, inv);
        }
        double[][] att = attention(q, k, v, c.nHead(), c.nKvHead(), hd);
        double[][] x2 = add(x, linear(att, w.get(a + "o_proj.weight"), null, c.dModel(), false));
        double[][] h2 = rmsNorm(x2, w.get(p + "post_attention_layernorm.weight"), c.normEps());
        double[][] g = linear(h2, w.get(p + "mlp.gate_proj.weight"), null, c.dFf(), false);
        double[][] u = linear(h2, w.get(p + "mlp.up_proj.weight"), null, c.dFf(), false);
        for (int i = 0; i < g.length; i++) for (int j = 0; j < g[i].length; j++) g[i][j] = g[i][j] / (1 + Math.exp(-g[i][j])) * u[i][j];
        return add(x2, linear(g, w.get(p + "mlp.down_proj.weight"), null, c.dModel(), false));
    }

    private double[][] gpt2Block(double[][] x, String p) {
        int d = c.dModel();
        double[][] h = layerNorm(x, w.get(p + "ln_1.weight"), w.get(p + "ln_1.bias"));
        double[][] qkv = linear(h, w.get(p + "attn.c_attn.weight"), w.get(p + "attn.c_attn.bias"), 3 * d, true);
        double[][] q = new double[x.length][], k = new double[x.length][], v = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            q[i] = java.util.Arrays.copyOfRange(qkv[i], 0, d);
            k[i] = java.util.Arrays.copyOfRange(qkv[i], d, 2 * d);
            v[i] = java.util.Arrays.copyOfRange(qkv[i], 2 * d, 3 * d);
        }
        double[][] att = attention(q, k, v, c.nHead(), c.nHead(), c.headDim());
        double[][] x2 = add(x, linear(att, w.get(p + "attn.c_proj.weight"), w.get(p + "attn.c_proj.bias"), d, true));
        double[][] h2 = layerNorm(x2, w.get(p + "ln_2.weight"), w.get(p + "ln_2.bias"));
        double[][] f = linear(h2, w.get(p + "mlp.c_fc.weight"), w.get(p + "mlp.c_fc.bias"), c.dFf(), true);
        for (double[] row : f)
            for (int j = 0; j < row.length; j++)
                row[j] = 0.5 * row[j] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (row[j] + 0.044715 * Math.pow(row[j], 3))));
        return add(x2, linear(f, w.get(p + "mlp.c_proj.weight"), w.get(p + "mlp.c_proj.bias"), d, true));
    }

    /** y = x Wᵀ + b with W [out, in], or x W + b with a Conv1D W [in, out]. */
    private static double[][] linear(double[][] x, float[] wt, float[] b, int out, boolean conv1d) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++)
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int j = 0; j < in; j++) s += x[i][j] * (conv1d ? wt[j * out + o] : wt[o * in + j]);
                y[i][o] = s;
            }
        return y;
    }

    private static double[][] attention(double[][] q, double[][] k, double[][] v, int heads, int kvHeads, int hd) {
        int n = q.length;
        double[][] out = new double[n][heads * hd];
        for (int h = 0; h < heads; h++) {
            int kh = h / (heads / kvHeads);
            for (int i = 0; i < n; i++) {
                double[] s = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < hd; e++) s[j] += q[i][h * hd + e] * k[j][kh * hd + e];
                    s[j] /= Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                for (int j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j <= i; j++) for (int e = 0; e < hd; e++) out[i][h * hd + e] += s[j] / sum * v[j][kh * hd + e];
            }
        }
        return out;
    }

    /** Rotate-half: element e pairs with e + hd/2. */
    private static void rope(double[] x, int heads, int hd, int pos, double[] inv) {
        for (int h = 0; h < heads; h++)
            for (int e = 0; e < hd / 2; e++) {
                double a = pos * inv[e], x1 = x[h * hd + e], x2 = x[h * hd + e + hd / 2];
                x[h * hd + e] = x1 * Math.cos(a) - x2 * Math.sin(a);
                x[h * hd + e + hd / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
            }
    }

    private void perHeadRms(double[][] x, float[] g, int heads, int hd) {
        for (double[] row : x)
            for (int h = 0; h < heads; h++) {
                double ss = 0;
                for (int e = 0; e < hd; e++) ss += row[h * hd + e] * row[h * hd + e];
                double r = 1 / Math.sqrt(ss / hd + c.normEps());
                for (int e = 0; e < hd; e++) row[h * hd + e] *= r * g[e];
            }
    }

    private static double[][] rmsNorm(double[][] x, float[] g, double eps) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double ss = 0;
            for (double v : x[i]) ss += v * v;
            double r = 1 / Math.sqrt(ss / x[i].length + eps);
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) y[i][j] = x[i][j] * r * g[j];
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, float[] g, float[] b) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double m = 0, var = 0;
            for (double v : x[i]) m += v;
            m /= x[i].length;
            for (double v : x[i]) var += (v - m) * (v - m);
            double r = 1 / Math.sqrt(var / x[i].length + c.normEps());
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) y[i][j] = (x[i][j] - m) * r * g[j] + b[j];
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) y[i][j] = a[i][j] + b[i][j];
        return y;
    }
}
