package io.jspeed.cli;

import io.jspeed.infer.Sampler;
import picocli.CommandLine.Option;

/**
 * How generate and chat pick each next token: the options of {@link Sampler.Settings}. Temperature and min-p have no
 * default here because each command wants its own; the command passes them when it creates the mixin, and picocli
 * shows and restores those values as the defaults.
 */
final class SamplingOptions {

    @Option(names = "--temperature", description = "Softmax temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", description = "Keep the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).", defaultValue = "0.95")
    float topP;

    @Option(names = "--min-p", description = "Drop tokens less likely than this fraction of the top token; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = {"--repetition-penalty", "--repeat-penalty"}, description = "Penalty for recently seen tokens; 1 = off (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    float repetitionPenalty;

    @Option(names = "--repeat-last-n", description = "How many recent tokens the repetition penalty looks at (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int repeatLastN;

    @Option(names = "--seed", description = "Sampling seed (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    SamplingOptions(float temperature, float minP) {
        this.temperature = temperature;
        this.minP = minP;
    }

    Sampler.Settings settings() {
        return new Sampler.Settings(temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed);
    }
}
