package io.jspeed.train.config;

/**
 * The optimizer ({@code optimizer.type} and {@code optimizer.params}). The only type is AdamW: weight decay is
 * decoupled from the gradient ({@code p -= lr * wd * p}). DeepSpeed's {@code "Adam"} is accepted as the same
 * thing, because DeepSpeed's own Adam defaults to {@code adam_w_mode=true}; the loader stores it as "AdamW".
 */
public record OptimizerConfig(String type, float lr, float beta1, float beta2, float eps, float weightDecay) {

    public OptimizerConfig {
        if (!"AdamW".equals(type)) {
            throw ConfigException.invalid("optimizer.type", ModelConfig.quote(type), "\"AdamW\" (or \"Adam\", read as AdamW)");
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw ConfigException.invalid("optimizer.params.lr", lr, "a finite number > 0");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw ConfigException.invalid("optimizer.params.betas", "[" + beta1 + ", " + beta2 + "]",
                    "two numbers in [0, 1)");
        }
        if (!(eps > 0) || Float.isInfinite(eps)) {
            throw ConfigException.invalid("optimizer.params.eps", eps, "a finite number > 0");
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw ConfigException.invalid("optimizer.params.weight_decay", weightDecay, "a finite number >= 0");
        }
    }
}
