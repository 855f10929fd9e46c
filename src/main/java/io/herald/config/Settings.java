package io.herald.config;

import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads Herald's settings from MicroProfile Config (system properties, environment variables such as
 * {@code HERALD_API_KEYS}, the server's config sources) under one policy: a value that is not of the
 * documented form, or out of its range, throws {@link BadSetting} naming the key. Each feature reads its
 * own keys into a record of its own ({@code DurableSettings.from(settings)}…) once, at start; the defaults
 * are the documented ones (README, "Configuration").
 *
 * <p>An empty value counts as not set, as in MicroProfile Config: the default applies.
 */
public final class Settings {

    private final Function<String, Optional<String>> values;

    private Settings(Function<String, Optional<String>> values) {
        this.values = values;
    }

    public static Settings of(Config config) {
        return new Settings(key -> config.getOptionalValue(key, String.class));
    }

    /** Settings from a map, as tests give them. */
    public static Settings of(Map<String, String> values) {
        return new Settings(key -> Optional.ofNullable(values.get(key)));
    }

    /** The value, stripped; empty when not set. */
    public Optional<String> text(String key) {
        return values.apply(key).map(String::strip).filter(value -> !value.isEmpty());
    }

    public String text(String key, String defaultValue) {
        return text(key).orElse(defaultValue);
    }

    /** {@code true} or {@code false}, or another form MicroProfile Config knows (yes/no, on/off, 1/0…). */
    public boolean flag(String key, boolean defaultValue) {
        Optional<String> value = text(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "y", "on", "1" -> true;
            case "false", "no", "n", "off", "0" -> false;
            default -> throw new BadSetting(key, value.get(), "true or false");
        };
    }

    /** A whole number from {@code min} to {@code max}. */
    public int integer(String key, int defaultValue, int min, int max) {
        return (int) number(key, defaultValue, min, max);
    }

    /** A whole number of at least {@code min}. */
    public int integer(String key, int defaultValue, int min) {
        return integer(key, defaultValue, min, Integer.MAX_VALUE);
    }

    /** A whole number from {@code min} to {@code max}. */
    public long number(String key, long defaultValue, long min, long max) {
        Optional<String> value = text(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            long number = Long.parseLong(value.get());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // not a number: the same message as a number out of range
        }
        throw new BadSetting(key, value.get(), "a whole number " + range(min, max));
    }

    /** A whole number of at least {@code min}. */
    public long number(String key, long defaultValue, long min) {
        return number(key, defaultValue, min, Long.MAX_VALUE);
    }

    /** A positive ISO-8601 duration, such as {@code P7D} or {@code PT10M}. */
    public Duration duration(String key, String defaultValue) {
        String value = text(key, defaultValue);
        try {
            Duration duration = Duration.parse(value);
            if (!duration.isNegative() && !duration.isZero()) {
                return duration;
            }
        } catch (DateTimeParseException e) {
            // not a duration: the same message as one that is not positive
        }
        throw new BadSetting(key, value, "a positive ISO-8601 duration such as P7D, PT12H or PT10M");
    }

    /**
     * One constant of {@code type}, written as its name in lower case with {@code -} for {@code _}
     * ({@code REFUSE_NEW} is {@code refuse-new}; see {@link #word}).
     */
    public <E extends Enum<E>> E choice(String key, E defaultValue, Class<E> type) {
        Optional<String> value = text(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (word(constant).equalsIgnoreCase(value.get())) {
                return constant;
            }
        }
        throw new BadSetting(key, value.get(), "one of "
                + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Settings::word).toList()));
    }

    /** How a constant of a {@link #choice} is written in the configuration. */
    public static String word(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Comma-separated entries, each stripped; empty entries are left out. */
    public List<String> list(String key, String defaultValue) {
        return Arrays.stream(text(key, defaultValue).split(","))
                .map(String::strip)
                .filter(entry -> !entry.isEmpty())
                .toList();
    }

    /** Comma-separated entries; none when not set. */
    public List<String> list(String key) {
        return list(key, "");
    }

    private static String range(long min, long max) {
        return max == Integer.MAX_VALUE || max == Long.MAX_VALUE
                ? "of at least " + min
                : "from " + min + " to " + max;
    }
}
