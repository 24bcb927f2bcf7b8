package io.jspeed.train.config;

/**
 * A configuration value is missing, unknown, mistyped or out of range. The message names the dotted key
 * (for example {@code model.n_head}), the offending value and the expected form.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /** {@code message} is complete: it already names the key and what was expected. */
    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    ConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The standard form: {@code key=value: expected ...}. */
    static ConfigException invalid(String key, Object value, String expected) {
        return new ConfigException(key, key + "=" + value + ": expected " + expected);
    }

    /** The dotted key at fault, or {@code null} when the whole document is (malformed JSON). */
    public String key() {
        return key;
    }

    /** The same error with {@code context} (a file name, an override) in front. */
    ConfigException within(String context) {
        return new ConfigException(key, context + ": " + getMessage(), this);
    }
}
