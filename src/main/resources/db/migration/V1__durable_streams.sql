-- One stream per uid: the last sequence number handed out and the position acknowledged by its clients.
-- The epoch is drawn when the row is created, so a stream whose history was lost gets a new one.
CREATE TABLE herald_stream (
    uid        VARCHAR(128) NOT NULL PRIMARY KEY,
    epoch      VARCHAR(32)  NOT NULL,
    last_seq   BIGINT       NOT NULL,
    acked_seq  BIGINT       NOT NULL,
    created_at BIGINT       NOT NULL
);

-- The durable messages of each uid, by sequence number.
CREATE TABLE herald_message (
    uid        VARCHAR(128)     NOT NULL,
    seq        BIGINT           NOT NULL,
    message_id VARCHAR(64)      NOT NULL,
    data       VARCHAR(1048576) NOT NULL,
    created_at BIGINT           NOT NULL,
    PRIMARY KEY (uid, seq)
);
CREATE INDEX herald_message_created ON herald_message (created_at);

-- Idempotency-Key of a durable push, with what the push returned, so that a retry returns the same.
CREATE TABLE herald_push (
    idempotency_key VARCHAR(200)     NOT NULL PRIMARY KEY,
    message_id      VARCHAR(64)      NOT NULL,
    seqs            VARCHAR(1048576) NOT NULL,
    created_at      BIGINT           NOT NULL
);
CREATE INDEX herald_push_created ON herald_push (created_at);
