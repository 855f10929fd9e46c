package io.herald.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress behindProxies = new ClientAddress(List.of(
            AddressRange.parse("10.0.0.0/8"), AddressRange.parse("192.0.2.1")));

    @Test
    void rangesMatchTheirAddresses() {
        AddressRange ten = AddressRange.parse("10.0.0.0/8");
        assertTrue(ten.contains(AddressRange.literal("10.255.3.4")));
        assertFalse(ten.contains(AddressRange.literal("11.0.0.1")));
        assertTrue(AddressRange.parse("192.0.2.1").contains(AddressRange.literal("192.0.2.1")));
        assertFalse(AddressRange.parse("192.0.2.1").contains(AddressRange.literal("192.0.2.2")));
        AddressRange ula = AddressRange.parse("fd00::/8");
        assertTrue(ula.contains(AddressRange.literal("fd12:3456::1")));
        assertTrue(ula.contains(AddressRange.literal("[fd12:3456::1]")));
        assertFalse(ula.contains(AddressRange.literal("2001:db8::1")));
        assertFalse(ten.contains(AddressRange.literal("::1")), "families never mix");
        assertTrue(AddressRange.parse("0.0.0.0/0").contains(AddressRange.literal("203.0.113.9")));
    }

    @Test
    void hostNamesAndNonsenseAreNotAddresses() {
        assertNull(AddressRange.literal("proxy.example.com"), "never resolved");
        assertNull(AddressRange.literal("unknown"));
        assertNull(AddressRange.literal(""));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("proxy.example.com"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/x"));
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        ClientAddress direct = new ClientAddress(List.of());
        assertEquals("203.0.113.9", direct.resolve("203.0.113.9", List.of("198.51.100.1")));
    }

    @Test
    void anUntrustedPeerCannotForgeItsAddress() {
        assertEquals("203.0.113.9", behindProxies.resolve("203.0.113.9", List.of("10.1.1.1, 198.51.100.1")));
    }

    @Test
    void behindATrustedProxyTheEntryItAppendedIsTheClient() {
        assertEquals("198.51.100.7", behindProxies.resolve("10.0.0.5", List.of("198.51.100.7")));
        // the client wrote a fake first entry; the proxy appended the real peer
        assertEquals("198.51.100.7", behindProxies.resolve("10.0.0.5", List.of("6.6.6.6, 198.51.100.7")));
    }

    @Test
    void chainsOfTrustedProxiesAreWalkedFromTheRight() {
        assertEquals("198.51.100.7", behindProxies.resolve("10.0.0.5",
                List.of("6.6.6.6, 198.51.100.7, 192.0.2.1", "10.9.9.9")));
        assertEquals("10.0.0.1", behindProxies.resolve("10.0.0.5", List.of("10.0.0.1")),
                "only trusted hops: the leftmost is as far as the chain goes");
        assertEquals("10.0.0.5", behindProxies.resolve("10.0.0.5", List.of()), "no header: the proxy itself");
    }
}
