package io.herald.gateway;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.herald.core.JsonCodec;
import io.herald.core.HeraldException;

class UidMessageTest {

    private static final UidMessage GOOD = new UidMessage("alice", JsonValue.TRUE, "key-1");

    private static HeraldException refused(UidMessage... messages) {
        return assertThrows(HeraldException.class, () -> UidMessage.check(Arrays.asList(messages)));
    }

    @Test
    void goodEntriesPass() {
        assertDoesNotThrow(() -> UidMessage.check(List.of(GOOD, new UidMessage("alice", JsonValue.NULL),
                new UidMessage("b.o-b_:@2", JsonCodec.string("x"), "~!\"#}"))));
    }

    @Test
    void anEmptyListOrAMissingEntryIsABadRequest() {
        assertEquals("bad_request", assertThrows(HeraldException.class, () -> UidMessage.check(List.of())).code());
        assertEquals("bad_request", assertThrows(HeraldException.class, () -> UidMessage.check(null)).code());
        List<UidMessage> withNull = new ArrayList<>(List.of(GOOD));
        withNull.add(null);
        HeraldException missing = assertThrows(HeraldException.class, () -> UidMessage.check(withNull));
        assertTrue(missing.getMessage().startsWith("messages[1]"), missing.getMessage());
    }

    @Test
    void theFirstBadEntryIsNamedByItsIndex() {
        HeraldException uid = refused(GOOD, GOOD, GOOD, new UidMessage("has space", JsonValue.TRUE), GOOD);
        assertEquals(400, uid.status());
        assertEquals("bad_uid", uid.code());
        assertTrue(uid.getMessage().startsWith("messages[3].uid"), uid.getMessage());
        assertEquals("bad_uid", refused(new UidMessage(null, JsonValue.TRUE)).code());
        assertEquals("bad_uid", refused(new UidMessage("x".repeat(129), JsonValue.TRUE)).code());

        HeraldException data = refused(GOOD, new UidMessage("bob", null));
        assertEquals("bad_request", data.code());
        assertTrue(data.getMessage().startsWith("messages[1].data"), data.getMessage());

        HeraldException key = refused(GOOD, new UidMessage("bob", JsonValue.TRUE, "with space"));
        assertEquals("bad_idempotency_key", key.code());
        assertTrue(key.getMessage().startsWith("messages[1].idempotencyKey"), key.getMessage());
        assertEquals("bad_idempotency_key", refused(new UidMessage("bob", JsonValue.TRUE, "")).code());
        assertEquals("bad_idempotency_key", refused(new UidMessage("bob", JsonValue.TRUE, "k".repeat(201))).code());
        assertEquals("bad_idempotency_key", refused(new UidMessage("bob", JsonValue.TRUE, "é")).code());
    }
}
