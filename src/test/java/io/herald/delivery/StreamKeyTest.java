package io.herald.delivery;

import io.herald.core.Names;
import io.herald.core.Receipt;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamKeyTest {

    @Test
    void aGroupsKeyIsNeverAUidAndGivesItsNameBack() {
        String key = StreamKey.group("room:7");
        assertTrue(StreamKey.isGroup(key));
        assertFalse(Names.validName(key), "no uid can have a group stream's key");
        assertEquals("room:7", StreamKey.name(key));
        assertFalse(StreamKey.isGroup("alice"));
        assertEquals("alice", StreamKey.name("alice"));
        String longest = "g".repeat(Names.MAX_LENGTH);
        assertEquals(Names.MAX_LENGTH + 1, StreamKey.group(longest).length(), "V3 widened the key columns to this");
    }

    @Test
    void aReceiptIsNamedByGroupAsCallersKnowIt() {
        Receipt stored = new Receipt("n:1", Map.of(StreamKey.group("feed"), 12L));
        assertEquals(12L, StreamKey.named(stored).seq("feed"));
        assertEquals("n:1", StreamKey.named(stored).id());
    }
}
