package io.herald.background;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failure that repeats costs a line a minute, with a count, and the first one's stack trace. */
class FailureLogTest {

    private final Logger logger = Logger.getLogger(FailureLogTest.class.getName() + ".probe");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final AtomicLong now = new AtomicLong(1_000);

    @BeforeEach
    void capture() {
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    @AfterEach
    void release() {
        logger.removeHandler(handler);
    }

    private List<LogRecord> at(Level level) {
        return records.stream().filter(record -> record.getLevel() == level).toList();
    }

    @Test
    void logsTheFirstFailureWithItsTraceThenAtMostOnceAMinuteWithACount() {
        FailureLog log = new FailureLog(logger, Level.SEVERE, "the sweep", now::get);
        OutOfMemoryError first = new OutOfMemoryError("Java heap space");
        assertTrue(log.failed(first, "it runs again"));
        for (int i = 0; i < 5; i++) {
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertFalse(log.failed(new IllegalStateException("again " + i), "it runs again"));
        }
        assertEquals(1, at(Level.SEVERE).size());
        assertSame(first, at(Level.SEVERE).get(0).getThrown());
        assertEquals(5, at(Level.FINE).size());

        now.addAndGet(TimeUnit.MINUTES.toNanos(1));
        IllegalStateException later = new IllegalStateException("still");
        assertTrue(log.failed(later, "it runs again"));
        List<LogRecord> severe = at(Level.SEVERE);
        assertEquals(2, severe.size());
        assertTrue(severe.get(1).getMessage().contains("5 more times"), severe.get(1).getMessage());
        assertSame(later, severe.get(1).getThrown());
    }

    @Test
    void saysOnceThatTheWorkWorksAgainAndLogsTheNextFailureAtOnce() {
        FailureLog log = new FailureLog(logger, Level.WARNING, "storing acknowledgements", now::get);
        assertFalse(log.succeeded(), "nothing to say while nothing failed");
        log.failed(new IllegalStateException("down"), "kept");
        log.failed(new IllegalStateException("down"), "kept");
        assertTrue(log.succeeded());
        assertFalse(log.succeeded(), "said once");
        List<LogRecord> info = at(Level.INFO);
        assertEquals(1, info.size());
        assertTrue(info.get(0).getMessage().contains("works again, after 2 failures"), info.get(0).getMessage());

        // A new outage is news: its first failure is logged at once, not folded into the last minute's count.
        assertTrue(log.failed(new IllegalStateException("down again"), "kept"));
        assertEquals(2, at(Level.WARNING).size());
    }
}
