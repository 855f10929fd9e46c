package io.herald.config;

/**
 * A setting whose value Herald cannot use. Thrown while the settings are read at start, so that the
 * deployment stops with a message naming the key and the form it accepts, instead of running with a guess.
 */
public class BadSetting extends IllegalStateException {

    private final String key;

    /** The value is shown: for settings that hold no secret. */
    public BadSetting(String key, String value, String expected) {
        this(key, key + "=" + value + " is not valid: expected " + expected);
    }

    private BadSetting(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The value is not shown: for keys and secrets, which must not reach a log. */
    public static BadSetting secret(String key, String expected) {
        return new BadSetting(key, key + " is not valid: expected " + expected);
    }

    public String key() {
        return key;
    }
}
