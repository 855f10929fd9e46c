package io.herald.core;

import jakarta.json.JsonException;

/**
 * The shape limits of JSON from outside, checked in one pass over the text before a parser builds
 * anything: nesting depth, the length of a number and of a string, and how many values one document
 * holds. Parsers have limits of their own, but they differ between implementations, fail with exceptions
 * of any type, and are reached only after the work (a 1,000-level document, a 1,100-digit number).
 * The text's size is bounded before this by the frame or body limit.
 */
public final class JsonLimits {

    /** Arrays and objects nested in one another. */
    public static final int MAX_DEPTH = 64;
    /** Characters of one number literal (a double needs 24). */
    public static final int MAX_NUMBER_CHARS = 100;
    /** Characters of one string, escapes counted as written. */
    public static final int MAX_STRING_CHARS = 1_048_576;
    /** Values of one document: every string (keys too), number, literal, array and object. */
    public static final int MAX_VALUES = 100_000;

    private JsonLimits() {
    }

    /**
     * Throws {@link JsonException} when the text breaks a limit. It checks the shape only where it can do
     * so cheaply; malformed text within the limits is left to the parser.
     */
    public static void check(String text) {
        int depth = 0;
        int values = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"') {
                int end = i + 1;
                while (end < n) {
                    char s = text.charAt(end);
                    if (s == '\\') {
                        end += 2;
                    } else if (s == '"') {
                        break;
                    } else {
                        end++;
                    }
                }
                if (end - i - 1 > MAX_STRING_CHARS) {
                    throw new JsonException("a string longer than " + MAX_STRING_CHARS + " characters");
                }
                values++;
                i = end + 1;
            } else if (c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    throw new JsonException("nested deeper than " + MAX_DEPTH + " levels");
                }
                values++;
                i++;
            } else if (c == ']' || c == '}') {
                depth--;
                i++;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                int end = i + 1;
                while (end < n && numberChar(text.charAt(end))) {
                    end++;
                }
                if (end - i > MAX_NUMBER_CHARS) {
                    throw new JsonException("a number longer than " + MAX_NUMBER_CHARS + " characters");
                }
                values++;
                i = end;
            } else if (c == 't' || c == 'f' || c == 'n') {
                values++;
                i++;
                while (i < n && Character.isLetter(text.charAt(i))) {
                    i++;
                }
            } else {
                i++;
            }
            if (values > MAX_VALUES) {
                throw new JsonException("more than " + MAX_VALUES + " values");
            }
        }
    }

    private static boolean numberChar(char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    }
}
