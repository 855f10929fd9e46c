package io.herald.it.process;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import static io.herald.it.support.JsonSupport.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durability scenarios on a real PostgreSQL started by the test, with the server configured by the
 * operator script for it in {@code server-config/}.
 */
abstract class PostgresDurability extends Durability {

    private EmbeddedPostgres postgres;

    /** The server under test, configured for the PostgreSQL at this port; not started yet. */
    abstract AppServer server(int postgresPort, Path target) throws Exception;

    @Override
    AppServer server(Path target) throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        return server(postgres.getPort(), target);
    }

    @Override
    void afterServer() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void theMessagesAreInPostgres() throws Exception {
        String uid = "pg-" + System.nanoTime();
        herald.api().post("/uids/" + uid + "/messages", obj("data", obj("hello", "postgres"))).expect(202);
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             ResultSet rows = connection.createStatement().executeQuery(
                     "SELECT seq, data FROM herald_message WHERE uid = '" + uid + "'")) {
            assertTrue(rows.next(), "the durable message is a row in PostgreSQL");
            assertEquals(1, rows.getLong("seq"));
            assertTrue(rows.getString("data").contains("postgres"));
        }
    }
}
