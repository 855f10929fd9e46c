package io.herald.core;

/** UTF-8 lengths counted without encoding: limits on frames are in bytes on the wire. */
public final class Utf8 {

    private Utf8() {
    }

    public static int length(CharSequence text) {
        int bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isSurrogate(c)) {
                bytes += 2; // a surrogate pair is 4 bytes, even when split across parts
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
