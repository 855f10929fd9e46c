package io.herald.bench;

/** A figure a {@link Step} may record: a number (NaN when not measured) or, for a few, a text. */
enum Measure {
    // CPU and time, of every measured step
    WALL_S, SERVER_CORES, GENERATOR_CORES, DB_CORES, MACHINE_CORES, OTHER_CORES,
    SERVER_CPU_US, GENERATOR_CPU_US, DB_CPU_US,
    // latency
    P50_MS, P99_MS, MAX_MS,
    // the channel's answers: from the request's due time to its answer, at the generator
    ANSWER_P50_MS, ANSWER_P99_MS, ANSWER_MAX_MS,
    // connects and memory
    N, OPENED, FAILED, SECONDS, SETTLE_S, ROUNDS,
    RSS_BEFORE_MIB, RSS_AFTER_MIB, RSS_PER_CONN_KIB, HEAP_BEFORE_MIB, HEAP_AFTER_MIB, HEAP_PER_CONN_KIB,
    HISTOGRAM_BYTES_PER_CONN,
    // pushes and what arrived
    REQUESTS, TARGET_RATE, RATE, REQUEST_RATE, DELIVERIES, DELIVERY_RATE, BLOCK, ERRORS,
    EXPECTED, RECEIVED, LOST, LATE, DUPLICATED, MISROUTED, GAPS, STRAY, TO_CLOSED,
    // broadcast
    CLIENTS, BROADCASTS, TO_LAST_P50_MS, TO_LAST_MAX_MS, TO_LAST_MS, SEND_MS,
    // resume storm
    BACKLOG, STORE_REQUESTS, STORE_ERRORS, STORE_RATE, STORE_SECONDS, RECONNECTED, RECONNECT_FAILED,
    CONNECT_SECONDS, CAUGHT_UP, UNRECOVERED, REPLAYS,
    // durable groups: rows stored, time to join again, reads of the message table
    ROWS, JOIN_SECONDS, PAGE_READS,
    // Herald's own counters over a step (GET /api/stats)
    SERVER_SEND_FAILURES, SERVER_SLOW_CONSUMER_CLOSES, SERVER_HEARTBEAT_CLOSES, SERVER_CLIENTS_AFTER,
    // the fleet of clients, and the cluster
    STRAY_MESSAGES, UNEXPECTED_CLOSES, ERROR_FRAMES, NODES,
    // texts
    TOP_CLASSES, ERROR_SAMPLES, CLOSE_CODES;

    /** A step's figures that count messages gone wrong: any of them above zero is a failure of Herald. */
    boolean wrong() {
        return this == LOST || this == DUPLICATED || this == MISROUTED || this == GAPS || this == UNRECOVERED;
    }

    /** The name in results.json. */
    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
