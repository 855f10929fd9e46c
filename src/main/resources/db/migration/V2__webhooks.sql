-- Webhook events waiting to be delivered (the outbox). A delivered event is deleted; one given up is kept
-- with status 1 (dead). sort_key orders events (per uid, an event is sent only when no earlier one of the
-- uid is pending); lease_owner/lease_until claim an event while one node sends it.
CREATE TABLE herald_webhook_event (
    id          VARCHAR(64)   NOT NULL PRIMARY KEY,
    sort_key    BIGINT        NOT NULL,
    event_type  VARCHAR(40)   NOT NULL,
    uid         VARCHAR(128),
    body        VARCHAR(8000) NOT NULL,
    created_at  BIGINT        NOT NULL,
    status      INT           NOT NULL,
    attempts    INT           NOT NULL,
    due_at      BIGINT        NOT NULL,
    lease_owner VARCHAR(32),
    lease_until BIGINT        NOT NULL,
    last_error  VARCHAR(500)
);
CREATE INDEX herald_webhook_event_due ON herald_webhook_event (status, due_at);
CREATE INDEX herald_webhook_event_uid ON herald_webhook_event (uid, sort_key);

-- Uids reported online (uid.online sent, uid.offline not yet): the shared record that lets one node,
-- not several, report each transition.
CREATE TABLE herald_webhook_online (
    uid   VARCHAR(128) NOT NULL PRIMARY KEY,
    since BIGINT       NOT NULL
);

-- Per uid, the highest seq reported as message.unacknowledged, so that each message is reported once.
CREATE TABLE herald_webhook_reported (
    uid VARCHAR(128) NOT NULL PRIMARY KEY,
    seq BIGINT       NOT NULL
);

-- The scan for unacknowledged messages: how far (message created_at) it has looked, and which node
-- holds the lease to scan now.
CREATE TABLE herald_webhook_scan (
    id          INT         NOT NULL PRIMARY KEY,
    scanned_to  BIGINT      NOT NULL,
    lease_owner VARCHAR(32),
    lease_until BIGINT      NOT NULL
);
INSERT INTO herald_webhook_scan (id, scanned_to, lease_owner, lease_until) VALUES (1, 0, NULL, 0);
