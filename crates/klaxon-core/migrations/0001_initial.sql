-- Times are Unix milliseconds (UTC) throughout.

CREATE TABLE samples (
    monitor    TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    -- Only failures keep their reason: a year of "HTTP 200 OK" is not worth the disk.
    reason     TEXT
);
CREATE INDEX samples_by_monitor_time ON samples (monitor, at);
CREATE INDEX samples_by_time ON samples (at);

-- Samples older than the raw window, summed per monitor and hour.
CREATE TABLE hourly (
    monitor        TEXT    NOT NULL,
    hour           INTEGER NOT NULL,
    checks         INTEGER NOT NULL,
    failures       INTEGER NOT NULL,
    latency_sum_ms INTEGER NOT NULL,
    latency_max_ms INTEGER NOT NULL,
    PRIMARY KEY (monitor, hour)
) WITHOUT ROWID;

-- Time nobody was watching: the laptop slept, or monitoring was paused. Never uptime.
CREATE TABLE unmonitored (
    from_at INTEGER NOT NULL,
    to_at   INTEGER NOT NULL,
    cause   TEXT    NOT NULL
);

-- The last known state of each monitor, for `klaxon status` when no engine runs.
CREATE TABLE monitor_state (
    monitor      TEXT PRIMARY KEY,
    state        TEXT    NOT NULL,
    last_checked INTEGER,
    latency_ms   INTEGER,
    reason       TEXT,
    target       TEXT    NOT NULL
);

CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY,
    monitor          TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    first_failure_at INTEGER NOT NULL,
    opened_at        INTEGER NOT NULL,
    alarm_started_at INTEGER,
    acknowledged_at  INTEGER,
    acknowledged_via TEXT,
    snoozed_until    INTEGER,
    recovered_at     INTEGER,
    resolved_at      INTEGER,
    reason           TEXT    NOT NULL,
    evidence         TEXT    NOT NULL
);
CREATE INDEX incidents_open ON incidents (state) WHERE state <> 'resolved';

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, at);
