-- Where an incident comes from. Both NULL: a [[monitor]] of the config (every incident written
-- before this migration). Both set: an alert from an outside source, by the source's name and
-- the alert's own stable key; `monitor` then holds the alert's title.
ALTER TABLE incidents ADD COLUMN source TEXT;
ALTER TABLE incidents ADD COLUMN alert_key TEXT;
