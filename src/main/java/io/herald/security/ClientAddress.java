package io.herald.security;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Where a connection really comes from. Behind a reverse proxy the peer is the proxy; the client's address
 * is in {@code X-Forwarded-For}, which anyone can write. So the header is read only when the peer is a
 * configured trusted proxy ({@code herald.trusted-proxies}), and from the right: each trusted hop
 * vouches for the entry it appended to its left, and the first address that is not a trusted proxy is
 * the client. Entries to the left of it were written by the client and are ignored.
 */
public final class ClientAddress {

    public static final String FORWARDED_FOR = "X-Forwarded-For";

    private final List<AddressRange> trustedProxies;

    public ClientAddress(List<AddressRange> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * The client's address.
     *
     * @param peer the address of the TCP peer ({@code getRemoteAddr()})
     * @param forwardedFor every {@code X-Forwarded-For} header of the request, in order (may be empty)
     */
    public String resolve(String peer, List<String> forwardedFor) {
        if (trustedProxies.isEmpty() || !trusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String entry : header.split(",")) {
                if (!entry.isBlank()) {
                    hops.add(entry.strip());
                }
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0 && trusted(client); i--) {
            client = hops.get(i);
        }
        return client;
    }

    public static List<String> headers(Enumeration<String> values) {
        List<String> list = new ArrayList<>();
        if (values != null) {
            while (values.hasMoreElements()) {
                list.add(values.nextElement());
            }
        }
        return list;
    }

    private boolean trusted(String address) {
        byte[] bytes = AddressRange.literal(address);
        if (bytes == null) {
            return false;
        }
        for (AddressRange range : trustedProxies) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }
}
