-- What the founder wrote about an incident afterwards, and the replies they kept.

CREATE TABLE incident_notes (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    cause       TEXT    NOT NULL DEFAULT '',
    fix         TEXT    NOT NULL DEFAULT '',
    -- A JSON array of strings: the few things that will change.
    prevention  TEXT    NOT NULL DEFAULT '[]',
    impact      TEXT    NOT NULL DEFAULT '',
    data_loss   TEXT    NOT NULL DEFAULT '',
    offer       TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
);

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    kind        TEXT    NOT NULL,
    tone        TEXT    NOT NULL,
    customer    TEXT    NOT NULL,
    tz          TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    saved_at    INTEGER NOT NULL
);
CREATE INDEX drafts_by_incident ON drafts (incident_id, saved_at);
