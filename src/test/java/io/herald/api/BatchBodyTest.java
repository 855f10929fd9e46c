package io.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.HeraldException;
import io.herald.core.JsonCodec;
import io.herald.gateway.UidMessage;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class BatchBodyTest {

    private static JsonObject json(String text) {
        return JsonCodec.parse(text).asJsonObject();
    }

    private static HeraldException refused(String body, int max) {
        return assertThrows(HeraldException.class, () -> BatchBody.parse(json(body), max));
    }

    @Test
    void readsEntriesInOrderAndIsDurableByDefault() {
        BatchBody batch = BatchBody.parse(json("{\"messages\":[{\"uid\":\"alice\",\"data\":{\"n\":1}},"
                + "{\"uid\":\"bob\",\"data\":null,\"idempotencyKey\":\"k-1\"},{\"uid\":\"alice\",\"data\":[2],"
                + "\"idempotencyKey\":null}]}"), 10);
        assertTrue(batch.durable());
        assertEquals(3, batch.messages().size());
        UidMessage first = batch.messages().get(0);
        assertEquals("alice", first.uid());
        assertEquals(json("{\"n\":1}"), first.data());
        assertNull(first.idempotencyKey());
        assertEquals("bob", batch.messages().get(1).uid());
        assertEquals("null", batch.messages().get(1).data().toString(), "JSON null is data too");
        assertEquals("k-1", batch.messages().get(1).idempotencyKey());
        assertNull(batch.messages().get(2).idempotencyKey());
        assertFalse(BatchBody.parse(json("{\"messages\":[{\"uid\":\"a\",\"data\":1}],\"durable\":false}"), 1).durable());
    }

    @Test
    void aMissingOrEmptyListIsABadRequest() {
        assertEquals("bad_request", refused("{}", 10).code());
        assertEquals("bad_request", refused("{\"messages\":{}}", 10).code());
        HeraldException empty = refused("{\"messages\":[]}", 10);
        assertEquals(400, empty.status());
        assertEquals("bad_request", empty.code());
    }

    @Test
    void moreMessagesThanTheLimitAre413() {
        HeraldException tooMany = refused("{\"messages\":[{\"uid\":\"a\",\"data\":1},{\"uid\":\"b\",\"data\":2},"
                + "{\"uid\":\"c\",\"data\":3}]}", 2);
        assertEquals(413, tooMany.status());
        assertEquals("batch_too_large", tooMany.code());
        assertTrue(tooMany.getMessage().contains("herald.api.max-batch-messages"), tooMany.getMessage());
    }

    @Test
    void aMalformedEntryIsNamedByItsIndex() {
        String good = "{\"uid\":\"a\",\"data\":1},";
        assertRefused("{\"messages\":[" + good + "7]}", "messages[1] must be an object");
        assertRefused("{\"messages\":[" + good + good + "{\"data\":1}]}", "messages[2].uid");
        assertRefused("{\"messages\":[{\"uid\":5,\"data\":1}]}", "messages[0].uid");
        assertRefused("{\"messages\":[" + good + "{\"uid\":\"b\"}]}", "messages[1].data");
        assertRefused("{\"messages\":[" + good + "{\"uid\":\"b\",\"data\":1,\"idempotencyKey\":3}]}",
                "messages[1].idempotencyKey");
        assertRefused("{\"messages\":[" + good + "{\"uid\":\"b\",\"data\":1}],\"durable\":\"no\"}", "durable");
    }

    private static void assertRefused(String body, String named) {
        HeraldException e = refused(body, 10);
        assertEquals(400, e.status());
        assertEquals("bad_request", e.code());
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
