package io.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replay pages read together on a real PostgreSQL (one statement for many streams) are the pages each
 * stream's own read gives: the same messages, the same bounds in count and in characters, the same end.
 */
class StreamsReadTest {

    private static EmbeddedPostgres postgres;
    private static Streams together;
    private static Streams alone;

    @BeforeAll
    static void store() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration")
                .table("herald_schema_history").load().migrate();
        together = streams(true);
        alone = streams(false);
        // Streams "s<n>" hold n messages (seq 1..n), message k holding k * 10 characters of data; "empty" none.
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO herald_message"
                     + " (uid, seq, message_id, data, created_at) VALUES (?, ?, ?, ?, ?)")) {
            for (int n = 1; n <= 30; n++) {
                for (int k = 1; k <= n; k++) {
                    insert.setString(1, "s" + n);
                    insert.setLong(2, k);
                    insert.setString(3, "m" + n + "-" + k);
                    insert.setString(4, "\"" + "x".repeat(k * 10 - 2) + "\"");
                    insert.setLong(5, 1000L * k);
                    insert.addBatch();
                }
            }
            insert.executeBatch();
        }
    }

    private static Streams streams(boolean postgresOn) {
        Streams streams = new Streams();
        streams.dataSource = postgres.getPostgresDatabase();
        streams.database = new Database() {
            @Override
            public boolean insertsUnlessPresent() {
                return postgresOn;
            }
        };
        return streams;
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void pagesReadTogetherAreThePagesReadOneByOne() {
        List<Streams.PageAsk> asks = new ArrayList<>();
        for (int n = 1; n <= 30; n++) {
            // Every shape of page: limited by count, by characters, a first message over the bound, at the end.
            asks.add(new Streams.PageAsk("s" + n, n % 4, 1 + n % 7, n % 5 == 0 ? 5 : 40 + n * 3, n % 2 == 0));
        }
        asks.add(new Streams.PageAsk("empty", 0, 10, 1000, true));
        asks.add(new Streams.PageAsk("s5", 5, 10, 1000, true)); // level with its stream
        asks.add(asks.get(11)); // the same page twice in one turn: two clients of one uid
        List<Streams.Page> read = together.read(asks);
        assertEquals(asks.size(), read.size());
        int messages = 0;
        for (int i = 0; i < asks.size(); i++) {
            Streams.PageAsk ask = asks.get(i);
            Streams.Page one = alone.read(ask.uid(), ask.afterSeq(), ask.limit(), ask.maxChars(), ask.firstAlways());
            assertEquals(describe(one), describe(read.get(i)), "page " + i + " " + ask);
            messages += one.messages().size();
        }
        assertEquals(true, messages > 40, "the pages hold messages: " + messages);
        assertEquals(describe(alone.read("empty", 0, 10, 1000, true)), "[] end");
        assertEquals(describe(alone.read("s3", 0, 10, 1000, true)), "[s3:1:m3-1:10:1000, s3:2:m3-2:20:2000,"
                + " s3:3:m3-3:30:3000] end");
    }

    private static String describe(Streams.Page page) {
        return page.messages().stream().map(m -> m.uid() + ":" + m.seq() + ":" + m.messageId() + ":"
                + m.data().length() + ":" + m.createdAt()).toList() + (page.end() ? " end" : " more");
    }
}
