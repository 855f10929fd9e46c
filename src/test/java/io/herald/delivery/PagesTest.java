package io.herald.delivery;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A page read from the store holds at most its bound in characters, and never less than one message. */
class PagesTest {

    @Test
    void takesTheLongestPrefixWithinTheBound() {
        assertEquals(3, Pages.fitting(List.of(100L, 200L, 300L, 400L), 600, true));
        assertEquals(2, Pages.fitting(List.of(100L, 200L, 301L), 600, true));
        assertEquals(4, Pages.fitting(List.of(1L, 1L, 1L, 1L), 600, true));
    }

    @Test
    void aMessageLargerThanThePageIsReadAlone() {
        assertEquals(1, Pages.fitting(List.of(5000L, 1L), 600, true));
    }

    @Test
    void unlessTheFirstNeedNotBeRead() {
        assertEquals(0, Pages.fitting(List.of(5000L, 1L), 600, false));
        assertEquals(1, Pages.fitting(List.of(500L, 200L), 600, false));
    }

    @Test
    void nothingToRead() {
        assertEquals(0, Pages.fitting(List.of(), 600, true));
    }

    @Test
    void stopsAtTheFirstMessageThatDoesNotFitEvenIfASmallerOneFollows() {
        assertEquals(1, Pages.fitting(List.of(500L, 200L, 1L), 600, true), "the page is a prefix: seqs stay gapless");
    }
}
