package io.herald.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New WebSocket connections per source address: a token bucket per address
 * ({@code herald.limits.connections-per-address-per-second}, burst
 * {@code herald.limits.connections-per-address-burst}). Every handshake counts, refused ones too, so that
 * guessing tokens is as slow as connecting. IPv6 addresses count per /64, the block one host usually
 * holds. Buckets that have refilled are forgotten, so memory follows the addresses active right now.
 */
@ApplicationScoped
public class ConnectionRate {

    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(10);

    @Inject
    LimitSettings limits;

    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    /** Counts a handshake from the address; a 429 refusal when the address is over its rate. */
    public void admit(String address) throws HandshakeRefusal {
        int perSecond = limits.connectionsPerAddressPerSecond();
        if (perSecond <= 0) {
            return;
        }
        int burst = limits.connectionsPerAddressBurst();
        long now = System.nanoTime();
        long[] retryAfter = {0};
        // compute() runs under the key's lock: the bucket needs no lock of its own.
        buckets.compute(key(address), (key, bucket) -> {
            TokenBucket b = bucket == null ? new TokenBucket(burst, perSecond, now) : bucket;
            if (!b.tryTake(now)) {
                retryAfter[0] = b.secondsToNextToken(now);
            }
            return b;
        });
        sweepIfDue(now);
        if (retryAfter[0] > 0) {
            throw new HandshakeRefusal(Refusal.TOO_MANY_CONNECTIONS, "more than " + perSecond
                    + " new connections a second from one address (herald.limits.connections-per-address-per-second)",
                    retryAfter[0]);
        }
    }

    int tracked() {
        return buckets.size();
    }

    private void sweepIfDue(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (String key : buckets.keySet()) {
            buckets.computeIfPresent(key, (k, bucket) -> bucket.full(now) ? null : bucket);
        }
    }

    /** The address itself, or for IPv6 its /64 prefix. */
    static String key(String address) {
        byte[] bytes = AddressRange.literal(address);
        if (bytes == null || bytes.length != 16) {
            return address;
        }
        return "ipv6/64:" + Arrays.toString(Arrays.copyOf(bytes, 8));
    }
}
