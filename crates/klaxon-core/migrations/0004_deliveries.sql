-- The outbox: every message to a channel is written here before it is sent, one row per
-- incident, channel and step, so a step is never sent twice, even across a kill -9.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    step            TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- 1 from the moment an attempt starts until its outcome is written: after a kill -9, such a
    -- row may or may not have reached the service, and is checked before it is sent again.
    in_flight       INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    -- A Pushover emergency's receipt, watched for the phone's acknowledgement (again after a
    -- restart, while its incident rings).
    receipt         TEXT,
    UNIQUE (incident_id, channel, step)
);
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE state = 'pending';

-- Where each channel's listener (an ntfy ack topic) has read up to, so a tap made while Klaxon
-- slept or was stopped still counts when it is back.
CREATE TABLE channel_cursors (
    channel TEXT PRIMARY KEY,
    since   TEXT NOT NULL
);
