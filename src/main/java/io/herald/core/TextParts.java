package io.herald.core;

/**
 * A WebSocket text frame that arrives in parts: kept until its last part, and never more than a bound of
 * UTF-8 bytes. Endpoints take frames in parts so that Herald, not the container, bounds what a frame may
 * make it hold: a container may buffer a whole message before a limit set on an open session applies.
 * Not thread-safe: one per connection, fed by the container's sequential calls.
 */
public final class TextParts {

    private StringBuilder text;
    private int bytes;

    /** Whether no frame is under way: the next part starts one. */
    public boolean idle() {
        return text == null;
    }

    /**
     * Adds a part of {@code partBytes} bytes (counted by the caller, see {@link Utf8}). Returns the whole
     * frame at its last part, else null. A frame over {@code maxBytes} is forgotten and {@code tooBig} runs
     * once, at the part that passed the bound.
     */
    public String add(String part, int partBytes, boolean last, int maxBytes, Runnable tooBig) {
        if (text == null && last) {
            if (partBytes > maxBytes) {
                tooBig.run();
                return null;
            }
            return part; // the common case: a frame in one part, never copied
        }
        if (text == null) {
            text = new StringBuilder();
            bytes = 0;
        }
        bytes += partBytes;
        if (bytes > maxBytes) {
            text = null;
            tooBig.run();
            return null;
        }
        text.append(part);
        if (!last) {
            return null;
        }
        String whole = text.toString();
        text = null;
        return whole;
    }

    /** Forgets the frame under way, if any. */
    public void drop() {
        text = null;
    }
}
