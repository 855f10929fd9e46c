package io.herald.delivery;

import java.util.List;

/** How many messages, of the given sizes in order, one page of a read takes. */
final class Pages {

    private Pages() {
    }

    /**
     * The longest prefix whose sizes sum to at most {@code maxChars}; if {@code firstAlways}, never less
     * than one message: a message larger than a page on its own is still read, alone, or a stream would
     * stop at it.
     */
    static int fitting(List<Long> sizes, long maxChars, boolean firstAlways) {
        long total = 0;
        int count = 0;
        for (long size : sizes) {
            if ((count > 0 || !firstAlways) && total + size > maxChars) {
                break;
            }
            total += size;
            count++;
        }
        return count;
    }
}
