package io.herald.core;

import org.junit.jupiter.api.Test;
import io.herald.routing.Ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {

    @Test
    void namesAllowTheDocumentedCharactersUpTo128() {
        assertTrue(Names.validName("alice"));
        assertTrue(Names.validName("user:42@example.com"));
        assertTrue(Names.validName("a_b-c.d"));
        assertTrue(Names.validName("x".repeat(128)));
        assertFalse(Names.validName("x".repeat(129)));
        assertFalse(Names.validName(""));
        assertFalse(Names.validName(null));
        assertFalse(Names.validName("has space"));
        assertFalse(Names.validName("slash/inside"));
        assertFalse(Names.validName("émile"));
    }

    @Test
    void badNamesAreRefusedWithTheirCodes() {
        assertEquals("bad_uid", assertThrows(HeraldException.class, () -> Names.uid("a b")).code());
        assertEquals("bad_group", assertThrows(HeraldException.class, () -> Names.group("")).code());
        HeraldException badId = assertThrows(HeraldException.class, () -> Names.clientId("nope"));
        assertEquals("bad_client_id", badId.code());
        assertEquals(400, badId.status());
    }

    @Test
    void clientIdsAreUniqueAndNameTheirNode() {
        Ids ids = new Ids();
        String first = ids.nextClientId();
        String second = ids.nextClientId();
        assertFalse(first.equals(second));
        assertEquals(first, Names.clientId(first));
        assertEquals(ids.node(), Ids.nodeOf(second));
        assertFalse(new Ids().node().equals(ids.node()), "every start draws a new node id");
    }
}
