package io.herald.connection;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of events costs a few INFO lines a minute, and the rest are counted, not lost. */
class ConnectionLogTest {

    @Test
    void aFloodLogsTheFirstLinesAtInfoThenASummary() {
        Logger logger = Logger.getLogger(ConnectionLog.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
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
        Level previous = logger.getLevel();
        logger.addHandler(capture);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        try {
            ConnectionLog.Budget budget = new ConnectionLog.Budget("refused WebSocket handshakes");
            for (int i = 0; i < ConnectionLog.INFO_PER_MINUTE; i++) {
                assertTrue(budget.log(() -> "refused one"));
            }
            for (int i = 0; i < 500; i++) {
                assertFalse(budget.log(() -> "refused one"));
            }
            budget.summarize();
            long info = records.stream().filter(r -> r.getLevel() == Level.INFO).count();
            assertEquals(ConnectionLog.INFO_PER_MINUTE + 1, info);
            assertEquals(500, records.stream().filter(r -> r.getLevel() == Level.FINE).count());
            String summary = records.get(records.size() - 1).getMessage();
            assertTrue(summary.startsWith("500 more refused WebSocket handshakes in the last minute"), summary);

            records.clear();
            budget.summarize(); // a quiet minute says nothing
            assertTrue(records.isEmpty());
            assertTrue(budget.log(() -> "refused again"), "the budget is renewed each minute");
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(previous);
            logger.setUseParentHandlers(true);
        }
    }
}
