package io.herald.bench;

/** A scenario, or a part of one, whose figures a run records ({@link Results}). */
enum Step {
    CONNECT("conn", "connect"),
    CONNECT_WARM("connwarm", "connect, warm"),
    MEMORY("mem", null),
    UNICAST("uni", "unicast ephemeral"),
    UNICAST_PACED("unipaced", "unicast ephemeral, half rate"),
    CHANNEL("chan", "channel ephemeral"),
    CHANNEL_PACED("chanpaced", "channel ephemeral, half rate"),
    CHANNEL_LOW("chanlow", "channel ephemeral, 2,000/s"),
    CHANNEL_DURABLE("chandur", "channel durable"),
    BATCH("bat", "batch push"),
    UNICAST_BATCH("ubat", "unicast batch, distinct messages"),
    DURABLE("dur", "unicast durable"),
    DURABLE_BATCH("dbat", "durable batch"),
    BROADCAST_SINGLE("bc1", null),
    BROADCAST("bc", "broadcast burst"),
    RESUME_STORE("rs_store", "resume: storing the backlog"),
    RESUME("rs", "resume: storm"),
    GROUP("grp", "group send ephemeral"),
    GROUP_DURABLE("grpdur", "group send durable"),
    GROUP_STORM_STORE("gs_store", "group storm: storing the backlog"),
    GROUP_STORM("gs", "group storm"),
    CROSS_UNICAST("xuni", "cross-node unicast"),
    CROSS_DURABLE("xdur", "cross-node durable"),
    FLEET("fleet", null),
    CLUSTER("cl", null);

    /** The name in logs and results.json. */
    final String key;
    /** The name in the report's table of what limited each figure; null where no CPU is measured. */
    final String limitsLabel;

    Step(String key, String limitsLabel) {
        this.key = key;
        this.limitsLabel = limitsLabel;
    }

    /** The same quantity measured on a single node (the cluster table's baseline column). */
    Step singleNode() {
        return switch (this) {
            case CROSS_UNICAST -> UNICAST;
            case CROSS_DURABLE -> DURABLE;
            default -> this;
        };
    }

    @Override
    public String toString() {
        return key;
    }
}
