-- Each monitor's certificate as its newest check saw it (HTTPS and TLS checks), so the window
-- can say when it expires without waiting for the next check.
CREATE TABLE certificates (
    monitor   TEXT PRIMARY KEY,
    not_after INTEGER NOT NULL,
    seen_at   INTEGER NOT NULL
);
