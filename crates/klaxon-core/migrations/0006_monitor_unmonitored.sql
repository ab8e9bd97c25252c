-- Time nobody was watching some monitors only: a maintenance window that names them. Never
-- uptime, never an outage; `unmonitored` keeps the time nobody watched any monitor.
CREATE TABLE monitor_unmonitored (
    monitor TEXT    NOT NULL,
    from_at INTEGER NOT NULL,
    to_at   INTEGER NOT NULL,
    cause   TEXT    NOT NULL
);
CREATE INDEX monitor_unmonitored_by_end ON monitor_unmonitored (to_at);
